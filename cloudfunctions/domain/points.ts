import { bytesToHex } from '@noble/hashes/utils'
import type { AdjustResult } from '../../typings/hq'
import type { PointsDetail, RefundResult, SpendResult } from '../../typings/points'
import { appendAudit, toAuditActor, type AuditActor, type AuditContext } from './audit'
import { loadStoreRefs } from './chain'
import type { RandomBytes } from './members'
import type { MemberDoc, PointLotDoc, StaffDoc, VisitDoc } from './models'
import {
  addEntry,
  addLot,
  countExpiringSoon,
  describeExpiry,
  expireDueLots,
  openLedger,
  removeRefundedQualifying,
  sumTaken,
  takePoints,
  writeLedger,
  type PointEntryDoc,
} from './points-ledger'
import { loadPointsRules } from './points-rules'
import type { Database, Doc } from './ports'
import { refuse, succeed, type Result } from './result'
import { formatBusinessTime } from './time'
import { verifyOwnVisit, type VisitClaims } from './visit-tokens'

/** What the counter and HQ do with points besides earning them (earning is in counter.ts). */

export interface SpendInput {
  visitToken: string
  points: number
  orderNo: string
}

export async function spendPoints(
  db: Database,
  staff: StaffDoc,
  input: SpendInput,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<SpendResult>> {
  const verified = await verifyOwnVisit(db, staff, input.visitToken, now, randomBytes)
  if (!verified.ok) return verified

  const audit = { actor: toAuditActor(staff), requestId, randomBytes }

  return spendVerifiedPoints(db, verified.data, input, now, audit)
}

/**
 * Spends points oldest lot first, once per store and order number. Two stores spending the same
 * points at once both read and write the member document, so only one of them commits; the other
 * runs again on the new balance.
 */
export async function spendVerifiedPoints(
  db: Database,
  claims: Pick<VisitClaims, 'memberId' | 'storeId' | 'clerkOpenid'>,
  input: Omit<SpendInput, 'visitToken'>,
  now: Date,
  audit?: AuditContext,
): Promise<Result<SpendResult>> {
  const entryId = `spend.${claims.storeId}.${input.orderNo}`

  return db.transaction(async (tx) => {
    const earlier = await tx.get<PointEntryDoc>('pointEntries', entryId)
    if (earlier) {
      const isSameSpend = earlier.memberId === claims.memberId && earlier.delta === -input.points
      if (!isSameSpend) return refuse('DUPLICATE_ORDER')

      return succeed({ balance: earlier.balanceAfter })
    }

    const member = await tx.get<MemberDoc>('members', claims.memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED', '这位会员已注销')

    const ledger = openLedger(member, now)
    expireDueLots(ledger)
    if (ledger.balance < input.points) {
      return refuse('INSUFFICIENT_POINTS', `积分不足：可用 ${ledger.balance} 分`)
    }

    const taken = takePoints(ledger, input.points)
    addEntry(ledger, {
      _id: entryId,
      kind: 'spend',
      delta: -input.points,
      storeId: claims.storeId,
      orderNo: input.orderNo,
      lots: taken,
      actorOpenid: claims.clerkOpenid,
    })
    await writeLedger(tx, ledger)
    if (audit) {
      const record = {
        actor: audit.actor,
        action: 'spendPoints',
        memberId: member._id,
        fields: ['points'],
        requestId: audit.requestId,
        detail: { entryId, points: input.points, ...describeExpiry(ledger) },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }

    return succeed({ balance: ledger.balance })
  })
}

const ASK_FOR_REFUND_NO = '这个订单已经退过款，请填写这次退款的退款单号'

/** A settlement line: points a refund could not take back, borne by the refunding store. */
export interface PointsShortfallDoc extends Doc {
  kind: 'pointsShortfall'
  storeId: string
  memberId: string
  orderNo: string
  points: number
  at: string
}

export interface RefundInput {
  orderNo: string
  amountFen: number
  /** The POS's refund receipt number (退款单号); absent means the order's first refund. */
  refundNo?: string
}

/**
 * Takes back the points an order of the caller's store earned, in proportion to the amount
 * refunded (all of them once the whole order is refunded), less what expiry already took from
 * the order's lot. The order's own lot gives first, then the oldest lots; what the member already
 * spent is not taken below zero but recorded against the store as a shortfall. Qualifying points
 * drop by the whole proportion, and with them a tier those points paid for.
 * Each refund is keyed by its 退款单号, so a retry answers the first result and another refund of
 * the same order takes its own share.
 * Coupons redeemed on the order come back through refundOrderWithCoupons, which wraps this.
 */
export async function refundOrder(
  db: Database,
  staff: StaffDoc,
  input: RefundInput,
  now: Date,
  audit?: AuditContext,
): Promise<Result<RefundResult>> {
  const storeId = staff.storeId
  if (!storeId) return refuse('NOT_ALLOWED', '只有门店员工可以退款')

  const rules = await loadPointsRules(db)
  const visitId = `${storeId}.${input.orderNo}`
  // A refund without 退款单号 gets an id no 退款单号 can make: neither it nor the order number
  // holds a dot.
  const entryId = input.refundNo ? `refund.${visitId}.${input.refundNo}` : `refund.${visitId}`

  return db.transaction(async (tx) => {
    const earlier = await tx.get<PointEntryDoc>('pointEntries', entryId)
    if (earlier) {
      if (earlier.amountFen === input.amountFen) return succeed(earlier.answer as RefundResult)

      return refuse(
        'DUPLICATE_ORDER',
        input.refundNo ? '这个退款单号已用于另一笔金额不同的退款' : ASK_FOR_REFUND_NO,
      )
    }

    const visit = await tx.get<VisitDoc>('visits', visitId)
    if (!visit) return refuse('NOT_FOUND', '本店没有这个订单号')

    if (!input.refundNo && (visit.refundedFen ?? 0) > 0) {
      // Without a 退款单号 this refund claims to be the order's first. The same amount is taken
      // as a retry of that first refund, though it may be a second refund of an equal amount:
      // nothing tells them apart, and taking the points back twice for one refund is worse.
      const first = visit.firstRefundEntryId
        ? await tx.get<PointEntryDoc>('pointEntries', visit.firstRefundEntryId)
        : null
      if (first?.amountFen === input.amountFen) return succeed(first.answer as RefundResult)

      return refuse('DUPLICATE_ORDER', ASK_FOR_REFUND_NO)
    }

    const refundedFen = (visit.refundedFen ?? 0) + input.amountFen
    if (refundedFen > visit.amountFen) {
      return refuse('INVALID_INPUT', '退款金额超过了订单尚可退的金额')
    }

    const member = await tx.get<MemberDoc>('members', visit.memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED', '这位会员已注销')

    const ledger = openLedger(member, now)
    expireDueLots(ledger)
    const lot = await tx.get<PointLotDoc>('pointLots', visitId)
    const expired = (lot?.expiredPoints ?? 0) + (ledger.expiredLots.get(visitId) ?? 0)
    const shareTotal =
      refundedFen === visit.amountFen
        ? visit.pointsEarned
        : Math.floor((visit.pointsEarned * refundedFen) / visit.amountFen)
    const qualifyingOwed = shareTotal - (visit.qualifyingReversed ?? 0)
    // Summed over every refund of the order, what is taken back (shortfall included) comes to the
    // share less the points of the order's lot that expired: the member lost those already.
    const owed = Math.max(0, shareTotal - expired - (visit.pointsReversed ?? 0))
    const taken = takePoints(ledger, Math.min(owed, ledger.balance), visitId)
    const pointsReversed = sumTaken(taken)
    const shortfall = owed - pointsReversed
    removeRefundedQualifying(ledger, rules, visit.at, qualifyingOwed)
    const answer: RefundResult = { refundedFen, pointsReversed, shortfall, balance: ledger.balance }
    addEntry(ledger, {
      _id: entryId,
      kind: 'reversal',
      delta: -pointsReversed,
      storeId,
      orderNo: input.orderNo,
      lots: taken,
      amountFen: input.amountFen,
      ...(shortfall > 0 ? { shortfall } : {}),
      answer: { ...answer },
      actorOpenid: staff.openid,
    })
    if (shortfall > 0) {
      // The store that refunds bears the points the member had already spent elsewhere.
      const line: PointsShortfallDoc = {
        _id: `shortfall.${entryId}`,
        kind: 'pointsShortfall',
        storeId,
        memberId: member._id,
        orderNo: input.orderNo,
        points: shortfall,
        at: ledger.at,
      }
      await tx.insert('settlements', line)
    }
    await tx.update('visits', visitId, {
      inc: { refundedFen: input.amountFen, pointsReversed: owed },
      set: {
        qualifyingReversed: shareTotal,
        firstRefundEntryId: visit.firstRefundEntryId ?? entryId,
      },
    })
    await writeLedger(tx, ledger)
    if (audit) {
      const record = {
        actor: audit.actor,
        action: 'refund',
        memberId: member._id,
        fields: ['points', 'visits'],
        requestId: audit.requestId,
        detail: {
          entryId,
          refundedFen: input.amountFen,
          pointsReversed,
          shortfall,
          ...describeExpiry(ledger),
        },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }

    return succeed(answer)
  })
}

export interface AdjustInput {
  memberId: string
  points: number
  reason: string
  adjustmentNo?: string
}

/**
 * HQ's goodwill and corrections: a positive adjustment is a lot of its own (it expires like any
 * other and does not count toward tiers), a negative one takes from the oldest lots and may not
 * take more than the balance. The audit entry is written in the same transaction.
 */
export async function adjustPoints(
  db: Database,
  actor: StaffDoc,
  input: AdjustInput,
  context: { now: Date; requestId: string; randomBytes: RandomBytes },
): Promise<Result<AdjustResult>> {
  const { now, requestId, randomBytes } = context
  const rules = await loadPointsRules(db)
  const entryId = `adjust.${input.adjustmentNo ?? bytesToHex(randomBytes(8))}`

  return db.transaction(async (tx) => {
    const earlier = await tx.get<PointEntryDoc>('pointEntries', entryId)
    if (earlier) {
      const isSame = earlier.memberId === input.memberId && earlier.delta === input.points
      if (!isSame) return refuse('DUPLICATE_ORDER', '这个调整编号已用于另一笔调整')

      return succeed({ balance: earlier.balanceAfter })
    }

    const member = await tx.get<MemberDoc>('members', input.memberId)
    if (!member || member.deletedAt) return refuse('NOT_FOUND', '没有这位会员')

    const ledger = openLedger(member, now)
    expireDueLots(ledger)
    if (input.points < 0 && ledger.balance < -input.points) {
      return refuse('INSUFFICIENT_POINTS', `积分不足：可用 ${ledger.balance} 分`)
    }

    const lots =
      input.points > 0
        ? [{ lotId: entryId, points: input.points }]
        : takePoints(ledger, -input.points)
    if (input.points > 0) {
      addLot(ledger, rules, {
        lotId: entryId,
        kind: 'adjust',
        storeId: null,
        orderNo: null,
        amountFen: 0,
        points: input.points,
      })
    }
    addEntry(ledger, {
      _id: entryId,
      kind: 'adjust',
      delta: input.points,
      storeId: null,
      orderNo: null,
      lots,
      reason: input.reason,
      actorOpenid: actor.openid,
    })
    const auditActor: AuditActor = {
      openid: actor.openid,
      role: actor.role,
      storeId: actor.storeId,
    }
    await appendAudit(
      tx,
      {
        actor: auditActor,
        action: 'adjustPoints',
        memberId: member._id,
        fields: ['points'],
        requestId,
        detail: { points: input.points, reason: input.reason, entryId, ...describeExpiry(ledger) },
      },
      now,
      randomBytes,
    )
    await writeLedger(tx, ledger)

    return succeed({ balance: ledger.balance })
  })
}

const ENTRY_PAGE_SIZE = 20
const LOT_LIST_LIMIT = 100

/** The member's open lots with their expiry, and every movement at every store, newest first. */
export async function listPoints(
  db: Database,
  member: MemberDoc,
  cursor: string | undefined,
  now: Date,
): Promise<PointsDetail> {
  const offset = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 0
  const openLots = (member.openLots ?? []).slice(0, LOT_LIST_LIMIT)
  const lots = openLots.length
    ? await db.find<PointLotDoc>(
        'pointLots',
        { _id: { $in: openLots.map((lot) => lot.lotId) } },
        { limit: openLots.length },
      )
    : []
  const lotsById = new Map(lots.map((lot) => [lot._id, lot]))
  const entries = await db.find<PointEntryDoc>(
    'pointEntries',
    { memberId: member._id },
    {
      orderBy: [
        ['at', 'desc'],
        ['_id', 'desc'],
      ],
      skip: offset,
      limit: ENTRY_PAGE_SIZE + 1,
    },
  )
  const page = entries.slice(0, ENTRY_PAGE_SIZE)
  const storeIds = [...lots.map((lot) => lot.storeId), ...page.map((entry) => entry.storeId)]
  const stores = await loadStoreRefs(
    db,
    storeIds.filter((id): id is string => Boolean(id)),
  )
  const storeOf = (storeId: string | null) => (storeId ? (stores.get(storeId) ?? null) : null)

  return {
    balance: member.points,
    expiringSoon: countExpiringSoon(member, now),
    lots: openLots.map((open) => {
      const lot = lotsById.get(open.lotId)

      return {
        lotId: open.lotId,
        store: storeOf(lot?.storeId ?? null),
        orderNo: lot?.orderNo ?? null,
        points: lot?.points ?? open.remaining,
        remaining: open.remaining,
        earnedAt: formatBusinessTime(open.earnedAt),
        expiresAt: open.expiresAt ? formatBusinessTime(open.expiresAt) : null,
      }
    }),
    entries: page.map((entry) => ({
      entryId: entry._id,
      kind: entry.kind,
      delta: entry.delta,
      store: storeOf(entry.storeId),
      orderNo: entry.orderNo,
      lots: entry.lots.map((take) => ({ lotId: take.lotId, points: take.points })),
      reason: entry.reason ?? null,
      at: formatBusinessTime(entry.at),
      balanceAfter: entry.balanceAfter,
    })),
    nextCursor: entries.length > ENTRY_PAGE_SIZE ? String(offset + ENTRY_PAGE_SIZE) : null,
  }
}
