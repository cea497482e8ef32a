import type { AuditEntry, StaffRoleName } from '../../../../../typings'
import { roleTitles } from '../../../utils/staff-roles'

/**
 * What each audited action is called in the console, in the order the filter offers them. Every
 * `action` the domain writes with `appendAudit` has a label (a test reads the domain for them);
 * an entry of an action unknown here shows its code.
 */
export const auditActionLabels: Record<string, string> = {
  scan: '扫码查看会员',
  recordPurchase: '消费记账',
  spendPoints: '积分抵扣',
  refund: '退款',
  redeemCoupon: '核销优惠券',
  reinstateCoupon: '退款退回优惠券',
  memberDetail: '查看会员详情',
  members: '查看会员列表',
  findMember: '按手机号查找会员',
  revealMember: '查看会员完整信息',
  exportMembers: '导出会员名单',
  adjustPoints: '调整积分',
  expirePoints: '积分过期',
  updatePointsRules: '修改积分规则',
  createCouponTemplate: '新建券模板',
  issueCoupon: '发券',
  exchange: '积分兑换优惠券',
  expireCoupon: '优惠券过期',
  upsertStaff: '添加或修改员工',
  inviteStaff: '邀请店员',
  acceptInvitation: '接受邀请加入门店',
  'member.register': '会员注册',
  'member.updateProfile': '会员修改资料',
  'member.acceptTerms': '会员同意隐私条款',
  'member.requestRebind': '会员申请换绑微信',
  'member.rebind': '会员换绑微信',
  'member.cancelRebind': '会员取消换绑',
  'member.deleteAccount': '会员注销账户',
}

/** The member's data each entry names as read or changed. */
export const auditFieldLabels: Record<string, string> = {
  phone: '手机号',
  maskedPhone: '手机号（隐去中间四位）',
  name: '姓名',
  birthday: '生日',
  birthdayMonthDay: '生日月日',
  gender: '性别',
  tier: '等级',
  points: '积分',
  coupons: '优惠券',
  visits: '消费记录',
  lastVisit: '上次到店',
  homeStoreId: '开卡门店',
  preferredStoreId: '常去门店',
  openid: '微信身份',
  unionid: '微信开放平台身份',
  codeSecret: '会员码密钥',
  consent: '隐私条款同意',
  earning: '积分获取',
  expiry: '积分有效期',
  tiers: '等级规则',
  tierReviewDate: '等级复核日',
  promotions: '促销活动',
  role: '角色',
  storeId: '门店',
  regionId: '区域',
  isActive: '在职状态',
}

/** The timers and flows that act on their own (`system:<job>`). */
const systemJobLabels: Record<string, string> = {
  pointExpiry: '积分过期任务',
  couponExpiry: '优惠券过期任务',
  birthdayGreeting: '生日礼任务',
  welcomeGift: '新会员礼',
}

export function labelAuditAction(action: string): string {
  return auditActionLabels[action] ?? action
}

export function labelAuditFields(fields: string[]): string {
  return fields.map((field) => auditFieldLabels[field] ?? field).join('、')
}

/**
 * `店员 · 鲜邻超市·徐汇区店`, `会员本人`, `系统 · 生日礼任务`: who acted, as people name them.
 * Staff without a store (region managers, HQ) are named by role alone; their openid is a detail.
 */
export function describeAuditActor(
  actor: AuditEntry['actor'],
  storeNames: ReadonlyMap<string, string>,
): string {
  if (actor.role === 'member') return '会员本人'
  if (actor.role === 'system') {
    const job = actor.openid.replace(/^system:/, '')
    return `系统 · ${systemJobLabels[job] ?? job}`
  }

  const role = roleTitles[actor.role as StaffRoleName] ?? actor.role
  if (!actor.storeId) return role

  return `${role} · ${storeNames.get(actor.storeId) ?? actor.storeId}`
}
