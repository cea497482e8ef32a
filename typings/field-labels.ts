/**
 * What people call each field of the functions' events, for the messages of INVALID_INPUT. Every
 * key of every event schema has a label here (tests walk the schemas). A key that means
 * different things in different events is qualified by its action (`acceptInvitation.code`) or
 * by the key it sits under (`promotions.name`); the plain key is the fallback.
 */
export const fieldLabels: Record<string, string> = {
  action: '操作',
  adjustmentNo: '调整单号',
  amountFen: '金额',
  auditAction: '操作类型',
  birthday: '生日',
  birthdayGift: '生日礼说明',
  birthdayGiftTemplateId: '生日礼券',
  code: '会员码',
  'acceptInvitation.code': '邀请码',
  consentVersion: '隐私条款版本',
  costBearer: '费用承担方',
  couponId: '券',
  cursor: '翻页位置',
  discountPercent: '折扣',
  earning: '积分获取规则',
  endsOn: '结束日期',
  exchangeNo: '兑换单号',
  exchangePoints: '兑换所需积分',
  excludedFen: '不积分金额',
  excludedNote: '不积分说明',
  expiry: '积分有效期规则',
  format: '文件格式',
  from: '起始时间',
  gender: '性别',
  isActive: '在职状态',
  issueNo: '发券批次号',
  kind: '券类型',
  maxDiscountFen: '最高优惠金额',
  memberId: '会员',
  memberIds: '会员名单',
  minSpendFen: '最低消费',
  month: '月份',
  months: '有效月数',
  multiplierPercent: '积分倍数',
  name: '姓名',
  'promotions.name': '活动名称',
  openid: '微信 openid',
  orderNo: '订单号',
  perMemberLimit: '每人限领',
  phone: '手机号',
  phoneCode: '手机号授权',
  points: '积分',
  pointsPerYuan: '每元积分',
  preferredStoreId: '常去门店',
  promotionId: '活动编号',
  promotions: '促销活动',
  reason: '原因',
  refundNo: '退款单号',
  regionId: '区域',
  role: '角色',
  rules: '积分规则',
  staffOpenid: '员工',
  startsOn: '开始日期',
  status: '状态',
  stock: '库存',
  storeId: '门店',
  storeIds: '门店',
  stores: '适用门店',
  templateId: '券模板',
  templateNo: '模板编号',
  threshold: '等级门槛',
  ticket: '换绑申请',
  tier: '会员等级',
  tierReviewDate: '等级复核日',
  tiers: '会员等级规则',
  title: '券名称',
  to: '结束时间',
  validDays: '有效天数',
  validFrom: '生效日期',
  validTo: '截止日期',
  valueFen: '面值',
  version: '条款版本',
  visitToken: '本次服务',
}

/**
 * The label of the field at `path` in an event of `action`; numbers in the path are list items
 * and are skipped. Undefined for a key no schema has (an unknown key is named as itself).
 */
export function labelField(action: unknown, path: readonly PropertyKey[]): string | undefined {
  const keys = path.filter((key): key is string => typeof key === 'string')
  const key = keys[keys.length - 1]
  if (key === undefined) return undefined

  const parent = keys[keys.length - 2]
  const qualified = [typeof action === 'string' ? `${action}.${key}` : '', `${parent}.${key}`]

  return [...qualified, key].map(ownLabel).find(Boolean)
}

// Own keys only: an unknown key such as `constructor` must not find Object's prototype.
function ownLabel(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(fieldLabels, name) ? fieldLabels[name] : undefined
}
