import type { StaffRoleName } from '../../../typings'

export const roleTitles: Record<StaffRoleName, string> = {
  clerk: '店员',
  store_manager: '店长',
  region_manager: '区域经理',
  hq_admin: '总部管理员',
  hq_analyst: '总部分析师',
}

/** Who may reveal a member's unmasked details, as the permission table says for `revealMember`. */
export const revealingRoles: readonly StaffRoleName[] = ['region_manager', 'hq_admin']

/** Who may adjust a member's points, as the permission table says for `adjustPoints`. */
export const adjustingRoles: readonly StaffRoleName[] = ['hq_admin']

/** Who works the counter's points page, as the permission table says for `spendPoints`, `refund`. */
export const counterRoles: readonly StaffRoleName[] = ['clerk', 'store_manager']

/** Who reads HQ's rules, coupon templates and settlement (`getRules`, `couponTemplates`). */
export const hqReadingRoles: readonly StaffRoleName[] = ['region_manager', 'hq_admin', 'hq_analyst']

/** Who changes them: `updateRules`, `createCouponTemplate`, `issueCoupons`. */
export const hqEditingRoles: readonly StaffRoleName[] = ['hq_admin']
