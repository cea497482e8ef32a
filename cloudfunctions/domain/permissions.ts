import type { StaffRole } from './models'

/**
 * The one permission table: for every action of the `staff` and `hq` functions, which roles may
 * call it and over which scope. A scope says whose data the action reaches: the members and
 * staff of the caller's own store, of the stores of their own region, or all of them. A role
 * absent from an action is refused. Functions consult only this file.
 */
export type Scope = 'own_store' | 'own_region' | 'all'

type Grants = Partial<Record<StaffRole, Scope>>

/** A plain list of roles grants each role the scope it is bound to (`homeScopes`). */
type Grant = Grants | readonly StaffRole[]

export const homeScopes: Record<StaffRole, Scope> = {
  clerk: 'own_store',
  store_manager: 'own_store',
  region_manager: 'own_region',
  hq_admin: 'all',
  hq_analyst: 'all',
}

const everyStaffRole = homeScopes

export const staffPermissions = {
  me: everyStaffRole,
  // A clerk serves any member of the chain at the counter: that is the point of one membership.
  // What follows the scan is bound to the caller's store and to them by the visit token.
  scan: { clerk: 'all', store_manager: 'all' },
  recordPurchase: { clerk: 'own_store', store_manager: 'own_store' },
  spendPoints: { clerk: 'own_store', store_manager: 'own_store' },
  refund: { clerk: 'own_store', store_manager: 'own_store' },
  redeemCoupon: { clerk: 'own_store', store_manager: 'own_store' },
  // A store manager sees the settlement of their own store only.
  settlement: { store_manager: 'own_store' },
  // Masked for every role here; unmasked data only through `hq.revealMember`.
  memberDetail: everyStaffRole,
  inviteStaff: { store_manager: 'own_store' },
  team: {
    store_manager: 'own_store',
    region_manager: 'own_region',
    hq_admin: 'all',
    hq_analyst: 'all',
  },
  todayVisits: { clerk: 'own_store', store_manager: 'own_store' },
  // A clerk serves members one at a time; the list of a store's customers is not theirs to take.
  members: {
    store_manager: 'own_store',
    region_manager: 'own_region',
    hq_admin: 'all',
    hq_analyst: 'all',
  },
} as const satisfies Record<string, Grant>

/**
 * Staff actions any WeChat user may call: the single-use invitation code is the permission, and
 * the caller becomes staff by it.
 */
export const openStaffActions = ['acceptInvitation'] as const

export type StaffAction = keyof typeof staffPermissions

export function staffScope(role: StaffRole, action: StaffAction): Scope | null {
  return grantedScope(staffPermissions[action], role)
}

export function isStaffAllowed(role: StaffRole, action: StaffAction): boolean {
  return staffScope(role, action) !== null
}

function grantedScope(grant: Grant, role: StaffRole): Scope | null {
  if (Array.isArray(grant)) return grant.includes(role) ? homeScopes[role] : null

  return (grant as Grants)[role] ?? null
}

/**
 * Who may call which hq action: HQ admins change rules, balances and staff; the others only
 * read. A list grants each role its home scope, so a region manager reads their region only.
 */
export const hqPermissions = {
  adjustPoints: ['hq_admin'],
  getRules: ['hq_admin', 'hq_analyst', 'region_manager'],
  chain: ['hq_admin', 'hq_analyst', 'region_manager'],
  updateRules: ['hq_admin'],
  createCouponTemplate: ['hq_admin'],
  issueCoupons: ['hq_admin'],
  couponTemplates: ['hq_admin', 'hq_analyst', 'region_manager'],
  // A region manager's settlement holds their region's stores and the pairs one of them is in.
  settlement: ['hq_admin', 'hq_analyst', 'region_manager'],
  upsertStaff: ['hq_admin'],
  // Masked for the analyst; the admin and a region manager unmask only by `revealMember`.
  findMember: ['hq_admin', 'hq_analyst', 'region_manager'],
  revealMember: ['hq_admin', 'region_manager'],
  auditLog: ['hq_admin', 'hq_analyst', 'region_manager'],
  // The unmasked member list: HQ admin only, each exported member audited as a read.
  exportMembers: ['hq_admin'],
} as const satisfies Record<string, Grant>

export type HqAction = keyof typeof hqPermissions

export function hqScope(role: StaffRole, action: HqAction): Scope | null {
  return grantedScope(hqPermissions[action], role)
}

export function isHqAllowed(role: StaffRole, action: HqAction): boolean {
  return hqScope(role, action) !== null
}
