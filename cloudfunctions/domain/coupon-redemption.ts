import type { CostBearer, RedeemedCoupon } from '../../typings/coupons'
import type { RefundResult } from '../../typings/points'
import { appendAudit, toAuditActor, type AuditContext } from './audit'
import { isAcceptedAt } from './coupon-templates'
import type { CouponDoc } from './coupons'
import type { RandomBytes } from './members'
import type { MemberDoc, StaffDoc, StoreDoc, VisitDoc } from './models'
import { refundOrder, type RefundInput } from './points'
import type { Database, Doc, TransactionScope } from './ports'
import { refuse, succeed, type Result } from './result'
import { businessDate, formatBusinessTime, toStoredTime } from './time'
import { verifyOwnVisit, type VisitClaims } from './visit-tokens'

/**
 * Redemption at the counter and its inverse. A redemption and its settlement record commit in
 * one transaction that reads and writes the coupon document, so of two stores redeeming the same
 * coupon at once only one commits; the other runs again and finds it redeemed.
 */

/** One line of `settlements` for a coupon: who served it, whose member, who bears the cost. */
export interface CouponSettlementDoc extends Doc {
  kind: 'couponRedeemed' | 'couponReinstated'
  couponId: string
  templateId: string
  memberId: string
  orderNo: string
  servingStoreId: string
  homeStoreId: string | null
  costBearer: CostBearer
  /** The store that bears the cost; null when HQ does. */
  bearerStoreId: string | null
  /** The value taken off: positive when redeemed, negative when a refund reinstated it. */
  amountFen: number
  /** The order amount the counter sent, to tell an exact retry from another order. */
  orderAmountFen: number | null
  month: string
  at: string
  clerkOpenid: string
}

export const redemptionId = (storeId: string, orderNo: string) => `coupon.${storeId}.${orderNo}`

const reinstatementId = (storeId: string, orderNo: string) => `reinstate.${storeId}.${orderNo}`

export interface RedeemInput {
  visitToken: string
  couponId: string
  orderNo: string
  amountFen?: number
}

export async function redeemCoupon(
  db: Database,
  staff: StaffDoc,
  input: RedeemInput,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<RedeemedCoupon>> {
  const verified = await verifyOwnVisit(db, staff, input.visitToken, now, randomBytes)
  if (!verified.ok) return verified

  const audit = { actor: toAuditActor(staff), requestId, randomBytes }

  return redeemVerifiedCoupon(db, verified.data, input, now, audit)
}

/**
 * One coupon per store and order number: an exact retry answers the first redemption, another
 * coupon or amount on the same order is refused, so coupons do not stack on one order. An order
 * whose refund reinstated its coupon stays spent: redeeming again needs a new order number.
 */
export async function redeemVerifiedCoupon(
  db: Database,
  claims: Pick<VisitClaims, 'memberId' | 'storeId' | 'clerkOpenid'>,
  input: Omit<RedeemInput, 'visitToken'>,
  now: Date,
  audit?: AuditContext,
): Promise<Result<RedeemedCoupon>> {
  const store = await db.get<StoreDoc>('stores', claims.storeId)
  if (!store) return refuse('NOT_ALLOWED', '没有这家门店')

  const settlementId = redemptionId(claims.storeId, input.orderNo)
  const amountFen = input.amountFen ?? null

  return db.transaction(async (tx) => {
    const earlier = await tx.get<CouponSettlementDoc>('settlements', settlementId)
    if (earlier) {
      const isSameRedemption =
        earlier.couponId === input.couponId &&
        earlier.memberId === claims.memberId &&
        earlier.orderAmountFen === amountFen
      if (!isSameRedemption) return refuse('DUPLICATE_ORDER')

      // Answering a retry after the refund as redeemed would give the discount again while the
      // coupon, usable once more, could still be redeemed elsewhere.
      const coupon = await tx.get<CouponDoc>('coupons', earlier.couponId)
      const isStillRedeemed =
        coupon?.status === 'used' && coupon.redemption?.settlementId === settlementId
      if (!isStillRedeemed) {
        return refuse('DUPLICATE_ORDER', '这个订单已退款，券已退回；如需再次用券，请使用新的订单号')
      }

      return succeed(toRedeemedCoupon(earlier, coupon.title))
    }

    // Points are earned on what the member paid, the order less its coupon. A coupon after the
    // purchase was recorded is refused rather than taking the discount's points back: the member
    // may have spent them already, and at the till a coupon comes before payment anyway. The
    // coupon stays in the wallet for the next order.
    const recorded = await tx.get<VisitDoc>('visits', `${claims.storeId}.${input.orderNo}`)
    if (recorded) {
      return refuse('DUPLICATE_ORDER', '这个订单已记账，不能再用券；请在记账前用券')
    }

    const member = await tx.get<MemberDoc>('members', claims.memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED', '这位会员已注销')

    const coupon = await tx.get<CouponDoc>('coupons', input.couponId)
    if (!coupon || coupon.memberId !== claims.memberId) return refuse('COUPON_NOT_FOUND')

    const at = toStoredTime(now)
    if (coupon.status === 'used') return refuse('COUPON_ALREADY_REDEEMED')
    if (coupon.status === 'expired' || at >= coupon.validUntil) return refuse('COUPON_EXPIRED')
    if (at < coupon.validFrom) {
      return refuse(
        'COUPON_NOT_VALID_HERE',
        `这张券 ${formatBusinessTime(coupon.validFrom)} 起可用`,
      )
    }
    if (!isAcceptedAt(coupon.stores, store)) return refuse('COUPON_NOT_VALID_HERE')
    if (coupon.minSpendFen > 0 && (amountFen ?? 0) < coupon.minSpendFen) {
      return refuse('MIN_SPEND_NOT_MET', `满 ${coupon.minSpendFen / 100} 元可用`)
    }

    const discountFen = computeDiscount(coupon, amountFen)
    if (discountFen === null) return refuse('INVALID_INPUT', '折扣券需要填写订单金额')

    const settlement: CouponSettlementDoc = {
      _id: settlementId,
      kind: 'couponRedeemed',
      couponId: coupon._id,
      templateId: coupon.templateId,
      memberId: coupon.memberId,
      orderNo: input.orderNo,
      servingStoreId: claims.storeId,
      homeStoreId: member.homeStoreId,
      costBearer: coupon.costBearer,
      bearerStoreId: findBearer(coupon, claims.storeId),
      amountFen: discountFen,
      orderAmountFen: amountFen,
      month: businessDate(now).slice(0, 7),
      at,
      clerkOpenid: claims.clerkOpenid,
    }
    await tx.insert('settlements', settlement)
    await tx.update('coupons', coupon._id, {
      set: {
        status: 'used',
        redemption: {
          storeId: claims.storeId,
          orderNo: input.orderNo,
          amountFen,
          discountFen,
          at,
          clerkOpenid: claims.clerkOpenid,
          settlementId,
        },
      },
    })
    if (audit) {
      const record = {
        actor: audit.actor,
        action: 'redeemCoupon',
        memberId: coupon.memberId,
        fields: ['coupons'],
        requestId: audit.requestId,
        detail: { couponId: coupon._id, settlementId, discountFen },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }

    return succeed(toRedeemedCoupon(settlement, coupon.title))
  })
}

/** The value a coupon takes off an order; null when a discount has no amount to work on. */
export function computeDiscount(
  coupon: Pick<CouponDoc, 'kind' | 'valueFen' | 'discountPercent' | 'maxDiscountFen'>,
  amountFen: number | null,
): number | null {
  if (coupon.kind === 'gift') return coupon.valueFen ?? 0
  if (coupon.kind === 'cash') {
    const value = coupon.valueFen ?? 0

    return amountFen === null ? value : Math.min(value, amountFen)
  }
  if (amountFen === null) return null

  const off = Math.floor((amountFen * (100 - (coupon.discountPercent ?? 100))) / 100)

  return Math.min(off, coupon.maxDiscountFen ?? off)
}

/** HQ is null; an `issuer` coupon without a home store at issue falls to HQ. */
function findBearer(coupon: CouponDoc, servingStoreId: string): string | null {
  switch (coupon.costBearer) {
    case 'hq':
      return null
    case 'issuer':
      return coupon.issuerStoreId
    case 'redeemer':
      return servingStoreId
  }
}

function toRedeemedCoupon(settlement: CouponSettlementDoc, title: string): RedeemedCoupon {
  return {
    couponId: settlement.couponId,
    title,
    orderNo: settlement.orderNo,
    storeId: settlement.servingStoreId,
    amountFen: settlement.orderAmountFen,
    discountFen: settlement.amountFen,
    redeemedAt: formatBusinessTime(settlement.at),
  }
}

/**
 * The inverse of a redemption: the coupon of this store's order is usable again if its validity
 * has not ended (else it is expired), and a negative settlement line cancels the first. Running
 * it again changes nothing and answers the same coupon.
 */
export async function reinstateCouponForOrder(
  db: Database,
  storeId: string,
  orderNo: string,
  now: Date,
  audit?: AuditContext,
): Promise<string[]> {
  return db.transaction((tx) => reinstateInTransaction(tx, storeId, orderNo, now, audit))
}

async function reinstateInTransaction(
  tx: TransactionScope,
  storeId: string,
  orderNo: string,
  now: Date,
  audit?: AuditContext,
): Promise<string[]> {
  const redeemed = await tx.get<CouponSettlementDoc>('settlements', redemptionId(storeId, orderNo))
  if (!redeemed) return []

  const undoId = reinstatementId(storeId, orderNo)
  if (await tx.get('settlements', undoId)) return [redeemed.couponId]

  const coupon = await tx.get<CouponDoc>('coupons', redeemed.couponId)
  if (!coupon) return []

  const at = toStoredTime(now)
  await tx.update('coupons', coupon._id, {
    set: { status: at < coupon.validUntil ? 'usable' : 'expired', redemption: null },
  })
  await tx.insert('settlements', {
    ...redeemed,
    _id: undoId,
    kind: 'couponReinstated',
    amountFen: -redeemed.amountFen,
    month: businessDate(now).slice(0, 7),
    at,
  })
  if (audit) {
    const record = {
      actor: audit.actor,
      action: 'reinstateCoupon',
      memberId: coupon.memberId,
      fields: ['coupons'],
      requestId: audit.requestId,
      detail: { couponId: coupon._id, settlementId: undoId },
    }
    await appendAudit(tx, record, now, audit.randomBytes)
  }

  return [coupon._id]
}

export type RefundWithCoupons = RefundResult & { couponsReinstated: string[] }

/**
 * A refund at the counter: the points of issue 5, then the coupon of the order once the whole
 * order is refunded. Two transactions, each safe to repeat, so a retry of the same refund
 * finishes whatever the first attempt left undone. An order with a coupon and no recorded
 * purchase has no points: its refunds are counted against the amount of the redemption.
 */
export async function refundOrderWithCoupons(
  db: Database,
  staff: StaffDoc,
  input: RefundInput,
  now: Date,
  audit?: AuditContext,
): Promise<Result<RefundWithCoupons>> {
  const storeId = staff.storeId
  if (!storeId) return refuse('NOT_ALLOWED', '只有门店员工可以退款')

  const refunded = await refundOrder(db, staff, input, now, audit)
  if (!refunded.ok && refunded.error.code === 'NOT_FOUND') {
    const couponOnly = await refundCouponOnlyOrder(db, staff, storeId, input, now, audit)

    return couponOnly ?? refunded
  }
  if (!refunded.ok) return refunded

  const visit = await db.get<VisitDoc>('visits', `${storeId}.${input.orderNo}`)
  const isWholeOrder = !!visit && (visit.refundedFen ?? 0) >= visit.amountFen
  const couponsReinstated = isWholeOrder
    ? await reinstateCouponForOrder(db, storeId, input.orderNo, now, audit)
    : []

  return succeed({ ...refunded.data, couponsReinstated })
}

/**
 * The refunds of one coupon-only order: what they add up to, and which was the first, so that a
 * refund without 退款单号 can be told to be a retry of it.
 */
export interface CouponOrderDoc extends Doc {
  kind: 'couponOrder'
  storeId: string
  orderNo: string
  refundedFen: number
  firstRefundId: string
}

/** One refund of a coupon-only order, keyed like a points refund, with the answer it gave. */
export interface CouponOrderRefundDoc extends Doc {
  kind: 'couponOrderRefund'
  storeId: string
  orderNo: string
  memberId: string
  amountFen: number
  answer: RefundWithCoupons
  at: string
  actorOpenid: string
}

const ASK_FOR_REFUND_NO = '这个订单已经退过款，请填写这次退款的退款单号'
const couponOrderId = (storeId: string, orderNo: string) => `order.${storeId}.${orderNo}`

/**
 * A refund of an order whose coupon was redeemed with no purchase recorded; null when the store
 * has no such order. The coupon comes back once the refunds reach the order amount the counter
 * gave at redemption, never on a part of it. A redemption without an amount (a gift handed
 * over, a cash coupon on an order the clerk did not type in) leaves nothing to compare: the
 * counter refunds such an order to undo it, so its first refund counts as whole and returns
 * the coupon, and a later one, having nothing left to refund, is refused.
 * Each refund is keyed by its 退款单号, as points refunds are: an exact retry answers the first
 * result and counts nothing twice. One transaction holds the refund, the order's sum and the
 * reinstatement, so two refunds of the order at once never both count against the same sum.
 */
async function refundCouponOnlyOrder(
  db: Database,
  staff: StaffDoc,
  storeId: string,
  input: RefundInput,
  now: Date,
  audit?: AuditContext,
): Promise<Result<RefundWithCoupons> | null> {
  const orderId = couponOrderId(storeId, input.orderNo)
  // As for points: without a 退款单号 the id is one no 退款单号 can make.
  const refundId = input.refundNo
    ? `refund.${storeId}.${input.orderNo}.${input.refundNo}`
    : `refund.${storeId}.${input.orderNo}`

  return db.transaction(async (tx): Promise<Result<RefundWithCoupons> | null> => {
    const redeemed = await tx.get<CouponSettlementDoc>(
      'settlements',
      redemptionId(storeId, input.orderNo),
    )
    if (!redeemed) return null

    const earlier = await tx.get<CouponOrderRefundDoc>('couponOrderRefunds', refundId)
    if (earlier) {
      if (earlier.amountFen === input.amountFen) return succeed(earlier.answer)

      return refuse(
        'DUPLICATE_ORDER',
        input.refundNo ? '这个退款单号已用于另一笔金额不同的退款' : ASK_FOR_REFUND_NO,
      )
    }

    const order = await tx.get<CouponOrderDoc>('couponOrderRefunds', orderId)
    if (!input.refundNo && order) {
      // A refund without 退款单号 claims to be the first: the same amount is taken as its retry.
      const first = await tx.get<CouponOrderRefundDoc>('couponOrderRefunds', order.firstRefundId)
      if (first?.amountFen === input.amountFen) return succeed(first.answer)

      return refuse('DUPLICATE_ORDER', ASK_FOR_REFUND_NO)
    }

    const refundedFen = (order?.refundedFen ?? 0) + input.amountFen
    const orderAmountFen = redeemed.orderAmountFen
    if (orderAmountFen === null && order) {
      return refuse('INVALID_INPUT', '这个订单已经全额退款，券已退回')
    }
    if (orderAmountFen !== null && refundedFen > orderAmountFen) {
      return refuse('INVALID_INPUT', '退款金额超过了订单尚可退的金额')
    }

    const member = await tx.get<MemberDoc>('members', redeemed.memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED', '这位会员已注销')

    const isWholeOrder = orderAmountFen === null || refundedFen === orderAmountFen
    const couponsReinstated = isWholeOrder
      ? await reinstateInTransaction(tx, storeId, input.orderNo, now, audit)
      : []
    const answer: RefundWithCoupons = {
      refundedFen,
      pointsReversed: 0,
      shortfall: 0,
      balance: member.points,
      couponsReinstated,
    }
    const refund: CouponOrderRefundDoc = {
      _id: refundId,
      kind: 'couponOrderRefund',
      storeId,
      orderNo: input.orderNo,
      memberId: member._id,
      amountFen: input.amountFen,
      answer,
      at: toStoredTime(now),
      actorOpenid: staff.openid,
    }
    await tx.insert('couponOrderRefunds', refund)
    await tx.set('couponOrderRefunds', {
      _id: orderId,
      kind: 'couponOrder',
      storeId,
      orderNo: input.orderNo,
      refundedFen,
      firstRefundId: order?.firstRefundId ?? refundId,
    } satisfies CouponOrderDoc)
    if (audit) {
      const record = {
        actor: audit.actor,
        action: 'refund',
        memberId: member._id,
        fields: ['coupons'],
        requestId: audit.requestId,
        detail: { refundId, refundedFen: input.amountFen, orderRefundedFen: refundedFen },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }

    return succeed(answer)
  })
}
