import { z } from 'zod'

/** The closed set of error codes a Tongka function may answer with. */
export const errorCodes = [
  'INVALID_INPUT',
  'NOT_REGISTERED',
  'ALREADY_REGISTERED',
  'NOT_ALLOWED',
  'NOT_FOUND',
  'CODE_INVALID',
  'CODE_EXPIRED',
  'CODE_USED',
  'VISIT_EXPIRED',
  'PHONE_INVALID',
  'PHONE_CODE_INVALID',
  'PHONE_IN_USE',
  'CONSENT_OUTDATED',
  'REBIND_TICKET_INVALID',
  'REBIND_TOO_EARLY',
  'INSUFFICIENT_POINTS',
  'COUPON_NOT_FOUND',
  'COUPON_ALREADY_REDEEMED',
  'COUPON_EXPIRED',
  'COUPON_NOT_VALID_HERE',
  'MIN_SPEND_NOT_MET',
  'DUPLICATE_ORDER',
  'COUPON_OUT_OF_STOCK',
  'COUPON_LIMIT_REACHED',
  'COUPON_NOT_EXCHANGEABLE',
  'BUSY',
  'INTERNAL',
] as const

export const errorCodeSchema = z.enum(errorCodes)

export type ErrorCode = z.infer<typeof errorCodeSchema>

export const failureSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: errorCodeSchema, message: z.string() }),
})

export type Failure = z.infer<typeof failureSchema>

/** What people read for each code; the client shows these, functions send them too. */
export const errorMessages: Record<ErrorCode, string> = {
  INVALID_INPUT: '提交的内容不完整或格式不对',
  NOT_REGISTERED: '还不是会员，请先注册',
  ALREADY_REGISTERED: '这个微信已经注册过会员',
  NOT_ALLOWED: '没有权限进行这项操作',
  NOT_FOUND: '没有找到',
  CODE_INVALID: '会员码无效',
  CODE_EXPIRED: '会员码已过期，请让顾客刷新',
  CODE_USED: '会员码已使用过，请让顾客刷新',
  VISIT_EXPIRED: '本次服务已超时，请重新扫码',
  PHONE_INVALID: '手机号不是有效的中国大陆手机号',
  PHONE_CODE_INVALID: '手机号授权已失效，请重新授权',
  PHONE_IN_USE: '这个手机号已绑定另一个微信账号',
  CONSENT_OUTDATED: '隐私条款已更新，请重新阅读并同意',
  REBIND_TICKET_INVALID: '换绑申请不存在或已失效，请重新申请',
  REBIND_TOO_EARLY: '原微信未确认换绑，请在申请 24 小时后再验证手机号',
  INSUFFICIENT_POINTS: '积分不足',
  COUPON_NOT_FOUND: '没有找到这张券',
  COUPON_ALREADY_REDEEMED: '这张券已经核销过了',
  COUPON_EXPIRED: '这张券已过期',
  COUPON_NOT_VALID_HERE: '这张券不能在本店使用',
  MIN_SPEND_NOT_MET: '未达到用券的最低消费',
  DUPLICATE_ORDER: '订单号已用于另一笔不同的交易',
  COUPON_OUT_OF_STOCK: '这张券已经发完了',
  COUPON_LIMIT_REACHED: '已达到这张券的每人限领数量',
  COUPON_NOT_EXCHANGEABLE: '这张券不能用积分兑换',
  BUSY: '系统繁忙，请稍后重试',
  INTERNAL: '系统出错了，请稍后重试',
}
