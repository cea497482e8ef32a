import type { StaffRole } from './models'

/**
 * Who may call which staff action. Every staff action is listed; functions consult only this.
 * TODO(#4): scopes (own store, own region, all) and the HQ actions join this table.
 */
export const staffPermissions = {
  me: ['clerk', 'store_manager', 'region_manager', 'hq_admin', 'hq_analyst'],
  scan: ['clerk', 'store_manager'],
  recordPurchase: ['clerk', 'store_manager'],
  spendPoints: ['clerk', 'store_manager'],
  refund: ['clerk', 'store_manager'],
  redeemCoupon: ['clerk', 'store_manager'],
  // A store manager sees the settlement of their own store only.
  settlement: ['store_manager'],
} as const satisfies Record<string, readonly StaffRole[]>

export type StaffAction = keyof typeof staffPermissions

export function isStaffAllowed(role: StaffRole, action: StaffAction): boolean {
  return (staffPermissions[action] as readonly StaffRole[]).includes(role)
}

/** Who may call which hq action: HQ admins change rules and balances; the others only read. */
export const hqPermissions = {
  adjustPoints: ['hq_admin'],
  getRules: ['hq_admin', 'hq_analyst', 'region_manager'],
  updateRules: ['hq_admin'],
  createCouponTemplate: ['hq_admin'],
  issueCoupons: ['hq_admin'],
  couponTemplates: ['hq_admin', 'hq_analyst', 'region_manager'],
  // TODO(#6): a region manager's settlement, scoped to the stores of their region.
  settlement: ['hq_admin', 'hq_analyst'],
} as const satisfies Record<string, readonly StaffRole[]>

export type HqAction = keyof typeof hqPermissions

export function isHqAllowed(role: StaffRole, action: HqAction): boolean {
  return (hqPermissions[action] as readonly StaffRole[]).includes(role)
}
