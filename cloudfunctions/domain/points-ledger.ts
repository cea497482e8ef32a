import type { Tier } from '../../typings/common'
import { tierOrder, type EntryKind, type PointsRules } from '../../typings/points'
import type { MemberDoc, OpenLotRef, PointLotDoc } from './models'
import type { Doc, Patch, TransactionScope } from './ports'
import { computeExpiresAt } from './points-rules'
import { addQualifying, businessMonth, isHigherTier, sumQualifying, tierForPoints } from './tiers'
import { toStoredTime } from './time'

/**
 * The points ledger. Each earn is a lot (`pointLots`); each spend, reversal, expiry and
 * adjustment is an entry (`pointEntries`) naming the lots it took from, oldest first. The member
 * document holds the summary every change needs inside its transaction: the balance, the open
 * lots and the qualifying points. A change reads the member, works on a `Ledger` in memory, and
 * writes lots, entries and member together, so that the member document serialises every change
 * of one member and the balance always equals the sum of what the lots have left.
 */

export interface LotTake {
  lotId: string
  points: number
  /**
   * The store of the lot taken from (null for HQ's), written with every take from open lots so
   * that the settlement sums spends by the store that created the points without reading lots.
   */
  storeId?: string | null
}

/** What a change says about an entry; the ledger adds the member, balance and time. */
export interface EntryFields {
  _id: string
  kind: EntryKind
  /** Signed change of the balance. */
  delta: number
  storeId: string | null
  orderNo: string | null
  /** Lots taken from (spend, reversal, expiry, negative adjustment) or made (earn, adjustment). */
  lots: LotTake[]
  reason?: string
  /** Points a refund should have taken back but the member had already spent. */
  shortfall?: number
  amountFen?: number
  /** The answer to repeat when the same request comes again. */
  answer?: Record<string, number>
  actorOpenid?: string
}

export interface PointEntryDoc extends Doc, EntryFields {
  _id: string
  memberId: string
  balanceAfter: number
  at: string
}

export interface Ledger {
  member: MemberDoc
  now: Date
  at: string
  balance: number
  tier: Tier
  openLots: OpenLotRef[]
  qualifying: Record<string, number>
  newLots: PointLotDoc[]
  /** lotId → what the lot has left after this change. */
  changedLots: Map<string, number>
  /** lotId → the points expiry took from the lot in this change. */
  expiredLots: Map<string, number>
  entries: PointEntryDoc[]
}

export function openLedger(member: MemberDoc, now: Date): Ledger {
  return {
    member,
    now,
    at: toStoredTime(now),
    balance: member.points,
    tier: member.tier,
    openLots: (member.openLots ?? []).map((lot) => ({ ...lot })),
    qualifying: { ...member.qualifyingByMonth },
    newLots: [],
    changedLots: new Map(),
    expiredLots: new Map(),
    entries: [],
  }
}

export function addEntry(ledger: Ledger, entry: EntryFields): PointEntryDoc {
  const written: PointEntryDoc = {
    ...entry,
    memberId: ledger.member._id,
    balanceAfter: ledger.balance,
    at: ledger.at,
  }
  ledger.entries.push(written)

  return written
}

/**
 * Expires every lot whose expiry has passed, in one entry. Every change runs this first, so a
 * member never spends a point that had expired but the daily job had not reached yet. Such an
 * expiry is part of that change and is audited by the change's one entry, which names it with
 * describeExpiry; only the daily job, whose change is the expiry, writes an entry for it alone.
 */
export function expireDueLots(ledger: Ledger): number {
  const due = ledger.openLots.filter((lot) => lot.expiresAt !== null && lot.expiresAt <= ledger.at)
  if (due.length === 0) return 0

  const taken = due.map((lot) => ({ lotId: lot.lotId, points: lot.remaining }))
  const points = taken.reduce((sum, take) => sum + take.points, 0)
  for (const lot of due) {
    ledger.changedLots.set(lot.lotId, 0)
    ledger.expiredLots.set(lot.lotId, lot.remaining)
  }
  ledger.openLots = ledger.openLots.filter((lot) => !due.includes(lot))
  ledger.balance -= points
  addEntry(ledger, {
    _id: `expiry.${due[0].lotId}`,
    kind: 'expiry',
    delta: -points,
    storeId: null,
    orderNo: null,
    lots: taken,
  })

  return due.length
}

/** What expiry took in this change, for the audit entry of the change; empty when nothing. */
export function describeExpiry(ledger: Ledger): { expiredPoints?: number; expiredLots?: number } {
  if (ledger.expiredLots.size === 0) return {}

  const expiredPoints = [...ledger.expiredLots.values()].reduce((sum, points) => sum + points, 0)

  return { expiredPoints, expiredLots: ledger.expiredLots.size }
}

export interface NewLot {
  lotId: string
  kind: 'purchase' | 'adjust'
  storeId: string | null
  orderNo: string | null
  amountFen: number
  points: number
}

/** Makes a lot; a purchase's points also qualify for tiers, and a higher tier comes at once. */
export function addLot(ledger: Ledger, rules: PointsRules, lot: NewLot): void {
  if (lot.points <= 0) return

  const expiresAt = computeExpiresAt(rules, ledger.now)
  ledger.newLots.push({
    _id: lot.lotId,
    memberId: ledger.member._id,
    storeId: lot.storeId,
    orderNo: lot.orderNo,
    kind: lot.kind,
    amountFen: lot.amountFen,
    points: lot.points,
    remaining: lot.points,
    earnedAt: ledger.at,
    expiresAt,
  })
  insertOldestFirst(ledger.openLots, {
    lotId: lot.lotId,
    storeId: lot.storeId,
    remaining: lot.points,
    earnedAt: ledger.at,
    expiresAt,
  })
  ledger.changedLots.set(lot.lotId, lot.points)
  ledger.balance += lot.points

  if (lot.kind !== 'purchase') return

  const month = businessMonth(ledger.now)
  ledger.qualifying = addQualifying(ledger.qualifying, month, lot.points, ledger.now)
  const reached = tierForPoints(rules, sumQualifying(ledger.qualifying, ledger.now))
  if (isHigherTier(reached, ledger.tier)) ledger.tier = reached
}

function insertOldestFirst(lots: OpenLotRef[], lot: OpenLotRef): void {
  const isAfter = (other: OpenLotRef) =>
    other.earnedAt > lot.earnedAt || (other.earnedAt === lot.earnedAt && other.lotId > lot.lotId)
  const index = lots.findIndex(isAfter)
  if (index === -1) lots.push(lot)
  else lots.splice(index, 0, lot)
}

/**
 * Takes up to `points` from the open lots, `firstLotId` first when it is still open (a refund
 * takes back its own order's points before any other), then oldest first. Answers what it took;
 * the caller checks the balance when taking less is not acceptable.
 */
export function takePoints(ledger: Ledger, points: number, firstLotId?: string): LotTake[] {
  const order = [
    ...ledger.openLots.filter((lot) => lot.lotId === firstLotId),
    ...ledger.openLots.filter((lot) => lot.lotId !== firstLotId),
  ]
  const taken: LotTake[] = []
  let wanted = points
  for (const lot of order) {
    if (wanted <= 0) break

    const take = Math.min(lot.remaining, wanted)
    lot.remaining -= take
    wanted -= take
    taken.push({ lotId: lot.lotId, points: take, storeId: lot.storeId })
    ledger.changedLots.set(lot.lotId, lot.remaining)
  }
  ledger.openLots = ledger.openLots.filter((lot) => lot.remaining > 0)
  ledger.balance -= points - wanted

  return taken
}

export function sumTaken(taken: LotTake[]): number {
  return taken.reduce((sum, take) => sum + take.points, 0)
}

/**
 * Removes the qualifying points a refund takes back from the month their purchase earned them.
 * Upgrades come at once and only the yearly review lowers a tier for inactivity, but a refund
 * undoes an upgrade the refunded points paid for: the tier falls to what the remaining points
 * reach, never below the tier the last review kept. Points that left the rolling window since
 * that review count against the tier here too, which only brings forward what the next review
 * would do; not counting them would let a member keep an upgrade by refunding late.
 */
export function removeRefundedQualifying(
  ledger: Ledger,
  rules: PointsRules,
  earnedAt: string,
  points: number,
): void {
  const month = businessMonth(earnedAt)
  ledger.qualifying = addQualifying(ledger.qualifying, month, -points, ledger.now)
  const reached = tierForPoints(rules, sumQualifying(ledger.qualifying, ledger.now))
  const kept = ledger.member.tierKept ?? tierOrder[0]
  const floor = isHigherTier(kept, reached) ? kept : reached
  if (isHigherTier(ledger.tier, floor)) ledger.tier = floor
}

/** Writes the change: new lots, what changed lots have left, entries, then the member summary. */
export async function writeLedger(
  tx: TransactionScope,
  ledger: Ledger,
  memberPatch: Patch = {},
): Promise<void> {
  const newLotIds = new Set(ledger.newLots.map((lot) => lot._id))
  for (const lot of ledger.newLots) {
    const remaining = ledger.changedLots.get(lot._id) ?? lot.remaining
    const isOpen = remaining > 0 && typeof lot.expiresAt === 'string'
    await tx.insert('pointLots', {
      ...lot,
      remaining,
      ...(isOpen ? { openExpiresAt: lot.expiresAt } : {}),
    })
  }
  for (const [lotId, remaining] of ledger.changedLots) {
    if (newLotIds.has(lotId)) continue

    const expiredPoints = ledger.expiredLots.get(lotId)
    const set = expiredPoints === undefined ? { remaining } : { remaining, expiredPoints }
    await tx.update('pointLots', lotId, remaining > 0 ? { set } : { set, unset: ['openExpiresAt'] })
  }
  for (const entry of ledger.entries) await tx.insert('pointEntries', entry)

  await tx.update('members', ledger.member._id, {
    ...memberPatch,
    set: {
      ...memberPatch.set,
      points: ledger.balance,
      tier: ledger.tier,
      openLots: ledger.openLots,
      qualifyingByMonth: ledger.qualifying,
    },
  })
}

/** Points of the open lots that expire within `days` of now (or are already due). */
export function countExpiringSoon(member: MemberDoc, now: Date, days = 30): number {
  const horizon = toStoredTime(new Date(now.getTime() + days * 24 * 60 * 60 * 1000))

  return (member.openLots ?? [])
    .filter((lot) => lot.expiresAt !== null && lot.expiresAt <= horizon)
    .reduce((sum, lot) => sum + lot.remaining, 0)
}
