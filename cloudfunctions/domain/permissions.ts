import type { StaffRole } from './models'

/**
 * Who may call which staff action. Every staff action is listed; functions consult only this.
 * TODO(#4): scopes (own store, own region, all) and the HQ actions join this table.
 */
export const staffPermissions = {
  me: ['clerk', 'store_manager', 'region_manager', 'hq_admin', 'hq_analyst'],
  scan: ['clerk', 'store_manager'],
  recordPurchase: ['clerk', 'store_manager'],
} as const satisfies Record<string, readonly StaffRole[]>

export type StaffAction = keyof typeof staffPermissions

export function isStaffAllowed(role: StaffRole, action: StaffAction): boolean {
  return (staffPermissions[action] as readonly StaffRole[]).includes(role)
}
