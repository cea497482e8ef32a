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
