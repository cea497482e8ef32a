import type { PurchaseResult, ScanResult } from '../../typings/staff'
import { appendAudit, appendReadAudit, toAuditActor, type AuditContext } from './audit'
import { acceptCardCode } from './card-codes'
import { loadStoreRefs } from './chain'
import { redemptionId, type CouponSettlementDoc } from './coupon-redemption'
import { listUsableAtStore } from './coupons'
import { maskName } from './masking'
import type { MemberDoc, StaffDoc, VisitDoc } from './models'
import type { Database } from './ports'
import { refuse, succeed, type Result } from './result'
import {
  addEntry,
  addLot,
  describeExpiry,
  expireDueLots,
  openLedger,
  writeLedger,
} from './points-ledger'
import { computeEarning, loadPointsRules } from './points-rules'
import { formatBusinessTime, toStoredTime } from './time'
import type { RandomBytes } from './members'
import {
  loadSigningKey,
  signVisitToken,
  verifyOwnVisit,
  VISIT_TOKEN_TTL_MS,
  type VisitClaims,
} from './visit-tokens'

/** The counter: a clerk scans a member's card code, then records what the member bought. */

export async function scanMember(
  db: Database,
  staff: StaffDoc,
  code: string,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<ScanResult>> {
  if (!staff.storeId) return refuse('NOT_ALLOWED', '只有门店员工可以扫码')

  const accepted = await acceptCardCode(db, code, now)
  if (!accepted.ok) return accepted

  const member = accepted.data
  const claims: VisitClaims = {
    memberId: member._id,
    storeId: staff.storeId,
    clerkOpenid: staff.openid,
    expiresAtMs: now.getTime() + VISIT_TOKEN_TTL_MS,
  }
  const keyHex = await loadSigningKey(db, randomBytes)
  const storeIds = [member.homeStoreId, member.lastVisitStoreId].filter(isPresent)
  const stores = await loadStoreRefs(db, storeIds)
  const lastVisitStore = member.lastVisitStoreId ? stores.get(member.lastVisitStoreId) : undefined
  const scanRead = { action: 'scan', memberId: member._id, fields: scanSummaryFields }

  await appendReadAudit(db, { actor: toAuditActor(staff), requestId, randomBytes }, scanRead, now)

  return succeed({
    visitToken: signVisitToken(keyHex, claims),
    visitExpiresAt: formatBusinessTime(new Date(claims.expiresAtMs)),
    member: {
      memberId: member._id,
      maskedPhone: member.maskedPhone,
      name: maskName(member.name),
      tier: member.tier,
      points: member.points,
      usableCoupons: await listUsableAtStore(db, member._id, staff.storeId, now),
      lastVisit:
        member.lastVisitAt && lastVisitStore
          ? { at: formatBusinessTime(member.lastVisitAt), store: lastVisitStore }
          : null,
      homeStore: member.homeStoreId ? (stores.get(member.homeStoreId) ?? null) : null,
    },
  })
}

export interface PurchaseInput {
  visitToken: string
  orderNo: string
  amountFen: number
  excludedFen?: number
}

/**
 * Records a purchase at the counter and earns its points, once per store and order number: an
 * exact retry answers the first result, the same order number with other content is refused.
 */
export async function recordPurchase(
  db: Database,
  staff: StaffDoc,
  input: PurchaseInput,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<PurchaseResult>> {
  const verified = await verifyOwnVisit(db, staff, input.visitToken, now, randomBytes)
  if (!verified.ok) return verified

  const audit = { actor: toAuditActor(staff), requestId, randomBytes }

  return recordVerifiedPurchase(db, verified.data, input, now, audit)
}

/** What the scan summary shows of a member, masked: named in the audit entry of each scan. */
const scanSummaryFields = ['maskedPhone', 'name', 'tier', 'points', 'coupons', 'lastVisit']

/**
 * The part after the visit token was checked; the demo loader replays history through it, with
 * no audit context because no member of staff did the work.
 */
export async function recordVerifiedPurchase(
  db: Database,
  claims: Pick<VisitClaims, 'memberId' | 'storeId' | 'clerkOpenid'>,
  input: Omit<PurchaseInput, 'visitToken'>,
  now: Date,
  audit?: AuditContext,
): Promise<Result<PurchaseResult>> {
  if ((input.excludedFen ?? 0) > input.amountFen) {
    return refuse('INVALID_INPUT', '不积分的金额超过了订单金额')
  }

  const rules = await loadPointsRules(db)
  const visitId = `${claims.storeId}.${input.orderNo}`

  return db.transaction(async (tx) => {
    const earlier = await tx.get<VisitDoc>('visits', visitId)
    if (earlier) {
      const isSameOrder =
        earlier.memberId === claims.memberId &&
        earlier.amountFen === input.amountFen &&
        (earlier.excludedFen ?? 0) === (input.excludedFen ?? 0)
      if (!isSameOrder) return refuse('DUPLICATE_ORDER')

      return succeed(toPurchaseResult(earlier))
    }

    const member = await tx.get<MemberDoc>('members', claims.memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED', '这位会员已注销')

    // The amount is the order's before its coupon; points are earned on what the member paid, so
    // the coupon's discount earns nothing. A coupon after the purchase is refused at redemption.
    const redemption = await tx.get<CouponSettlementDoc>(
      'settlements',
      redemptionId(claims.storeId, input.orderNo),
    )
    if (redemption && redemption.memberId !== claims.memberId) {
      return refuse('DUPLICATE_ORDER', '这个订单号已用于另一位会员的券')
    }

    const excludedFen = input.excludedFen ?? 0
    const couponDiscountFen = Math.min(redemption?.amountFen ?? 0, input.amountFen)
    const { points: pointsEarned } = computeEarning(rules, {
      amountFen: input.amountFen,
      excludedFen: excludedFen + couponDiscountFen,
      storeId: claims.storeId,
      tier: member.tier,
      at: now,
    })
    const at = toStoredTime(now)
    const ledger = openLedger(member, now)
    expireDueLots(ledger)
    addLot(ledger, rules, {
      lotId: visitId,
      kind: 'purchase',
      storeId: claims.storeId,
      orderNo: input.orderNo,
      amountFen: input.amountFen,
      points: pointsEarned,
    })
    if (pointsEarned > 0) {
      addEntry(ledger, {
        _id: `earn.${visitId}`,
        kind: 'earn',
        delta: pointsEarned,
        storeId: claims.storeId,
        orderNo: input.orderNo,
        lots: [{ lotId: visitId, points: pointsEarned }],
      })
    }
    const visit: VisitDoc = {
      _id: visitId,
      memberId: member._id,
      storeId: claims.storeId,
      clerkOpenid: claims.clerkOpenid,
      orderNo: input.orderNo,
      amountFen: input.amountFen,
      ...(excludedFen > 0 ? { excludedFen } : {}),
      ...(couponDiscountFen > 0 ? { couponDiscountFen } : {}),
      pointsEarned,
      balanceAfter: ledger.balance,
      at,
    }
    await tx.insert('visits', visit)
    await writeLedger(tx, ledger, {
      inc: { pointsEarnedTotal: pointsEarned, visitCount: 1 },
      set: {
        lastVisitAt: at,
        lastVisitStoreId: claims.storeId,
        homeStoreId: member.homeStoreId ?? claims.storeId,
      },
    })
    if (audit) {
      const record = {
        actor: audit.actor,
        action: 'recordPurchase',
        memberId: member._id,
        fields: ['points', 'visits'],
        requestId: audit.requestId,
        detail: {
          visitId,
          amountFen: input.amountFen,
          couponDiscountFen,
          pointsEarned,
          ...describeExpiry(ledger),
        },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }

    return succeed(toPurchaseResult(visit))
  })
}

function toPurchaseResult(visit: VisitDoc): PurchaseResult {
  return { visitId: visit._id, pointsEarned: visit.pointsEarned, balance: visit.balanceAfter }
}

function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined
}
