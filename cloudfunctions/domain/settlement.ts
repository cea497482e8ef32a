import { stringify } from 'csv-stringify/sync'
import type { SettlementReport } from '../../typings/coupons'
import type { EntryKind } from '../../typings/points'
import { loadStoreRefs } from './chain'
import type { CouponSettlementDoc } from './coupon-redemption'
import { monthStartInShanghai } from './points-rules'
import type { AggregateStage, Database } from './ports'
import { refuse, succeed, type Result } from './result'

/**
 * The monthly settlement between stores. Coupons come from the `settlements` lines written with
 * each redemption and reinstatement; points from the ledger's entries, whose spends name the
 * store of each lot they took, that is the store that created the liability, and from the
 * shortfall lines refunds write. HQ is the party `hq`. The database sums the lines by the pair of
 * parties they concern, so the function reads one figure per pair, never the month's lines.
 */
export const HQ_PARTY = 'hq'

/** Groups answered per aggregation; CloudBase answers 20 without a `$limit`. */
const PAGE_SIZE = 1_000
/** Store ids named in one `$in` query, whose answer CloudBase cuts at a thousand documents. */
const NAMES_PER_QUERY = 500

/** Runs `stages`, which must end in a `$group`, and pages through the groups it makes. */
async function aggregateGroups<T>(
  db: Database,
  collection: string,
  stages: AggregateStage[],
  order: Record<string, 1>,
): Promise<T[]> {
  const all: T[] = []
  for (let skip = 0; ; skip += PAGE_SIZE) {
    const page = await db.aggregate<T>(collection, [
      ...stages,
      { $sort: order },
      { $skip: skip },
      { $limit: PAGE_SIZE },
    ])
    all.push(...page)
    if (page.length < PAGE_SIZE) return all
  }
}

interface CouponGroup {
  _id: { servingStoreId: string; bearerStoreId?: string | null; kind: CouponSettlementDoc['kind'] }
  lines: number
  amountFen: number
}

interface EntryGroup {
  _id: { storeId?: string | null; kind: EntryKind }
  delta: number
}

interface TakeGroup {
  _id: { storeId?: string | null; lotStoreId?: string | null }
  points: number
}

interface ShortfallGroup {
  _id: string
  points: number
}

interface StoreRow {
  storeId: string
  name: string | null
  redeemedForOthersFen: number
  redeemedByOthersFen: number
  redemptions: number
  pointsCreated: number
  pointsConsumed: number
  pointsShortfall: number
}

/** Both directions of every pair; netted at the end. */
class Debts {
  private readonly owed = new Map<string, { couponFen: number; points: number }>()

  add(from: string, to: string, couponFen: number, points: number): void {
    if (from === to) return

    const key = `${from}|${to}`
    const current = this.owed.get(key) ?? { couponFen: 0, points: 0 }
    this.owed.set(key, {
      couponFen: current.couponFen + couponFen,
      points: current.points + points,
    })
  }

  net(): SettlementReport['pairs'] {
    const pairs: SettlementReport['pairs'] = []
    const seen = new Set<string>()
    for (const key of [...this.owed.keys()].sort()) {
      const [a, b] = key.split('|')
      const pairKey = [a, b].sort().join('|')
      if (seen.has(pairKey)) continue

      seen.add(pairKey)
      const ab = this.owed.get(`${a}|${b}`) ?? { couponFen: 0, points: 0 }
      const ba = this.owed.get(`${b}|${a}`) ?? { couponFen: 0, points: 0 }
      const couponFen = ab.couponFen - ba.couponFen
      const points = ab.points - ba.points
      if (couponFen === 0 && points === 0) continue

      // The direction follows the money when there is any, else the points.
      const isForward = couponFen > 0 || (couponFen === 0 && points > 0)
      pairs.push(
        isForward
          ? { from: a, to: b, couponFen, points }
          : { from: b, to: a, couponFen: -couponFen, points: -points },
      )
    }

    return pairs
  }
}

/**
 * The month's settlement as seen from `storeIds`: their rows, the pairs one of them is in and the
 * coupon totals of the lines they served or bear. Null is the whole chain.
 */
export async function buildSettlement(
  db: Database,
  month: string,
  storeId: string | null,
  storeIds: string[] | null = storeId ? [storeId] : null,
): Promise<SettlementReport> {
  const reached = storeIds && new Set(storeIds)
  const isReached = (party: string) => !reached || reached.has(party)
  const rows = new Map<string, StoreRow>()
  const rowOf = (id: string) => {
    const row = rows.get(id) ?? {
      storeId: id,
      name: null,
      redeemedForOthersFen: 0,
      redeemedByOthersFen: 0,
      redemptions: 0,
      pointsCreated: 0,
      pointsConsumed: 0,
      pointsShortfall: 0,
    }
    rows.set(id, row)

    return row
  }
  const debts = new Debts()
  const totals = { redemptions: 0, couponFen: 0 }

  const groups = await aggregateGroups<CouponGroup>(
    db,
    'settlements',
    [
      { $match: { month, kind: { $in: ['couponRedeemed', 'couponReinstated'] } } },
      {
        $group: {
          _id: {
            servingStoreId: '$servingStoreId',
            bearerStoreId: '$bearerStoreId',
            kind: '$kind',
          },
          lines: { $sum: 1 },
          amountFen: { $sum: '$amountFen' },
        },
      },
    ],
    { '_id.servingStoreId': 1, '_id.bearerStoreId': 1, '_id.kind': 1 },
  )
  for (const group of groups) {
    const bearer = group._id.bearerStoreId ?? HQ_PARTY
    const serving = group._id.servingStoreId
    if (!isReached(bearer) && !isReached(serving)) continue

    // A reinstatement's line counts one redemption less; its amount is negative already.
    const count = group._id.kind === 'couponRedeemed' ? group.lines : -group.lines
    rowOf(serving).redemptions += count
    if (bearer !== serving) {
      rowOf(serving).redeemedForOthersFen += group.amountFen
      if (bearer !== HQ_PARTY) rowOf(bearer).redeemedByOthersFen += group.amountFen
    }
    debts.add(bearer, serving, group.amountFen, 0)
    totals.redemptions += count
    totals.couponFen += group.amountFen
  }

  await addPoints(db, month, isReached, rowOf, debts)
  const stores = [...rows.values()]
    .filter((row) => isReached(row.storeId))
    .sort((a, b) => a.storeId.localeCompare(b.storeId))
  await nameStores(db, stores)

  return {
    month,
    storeId,
    stores,
    pairs: debts.net().filter((pair) => isReached(pair.from) || isReached(pair.to)),
    totals,
  }
}

/** Fills in each row's store name, a bounded query at a time: a chain may have any number. */
async function nameStores(db: Database, rows: StoreRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += NAMES_PER_QUERY) {
    const chunk = rows.slice(start, start + NAMES_PER_QUERY)
    const stores = await loadStoreRefs(
      db,
      chunk.map((row) => row.storeId),
    )
    for (const row of chunk) row.name = stores.get(row.storeId)?.name ?? null
  }
}

/**
 * Earns create a liability at the store that earned them; a spend consumes it where it is spent.
 * When a spend takes points another store created, the creating store owes the spending store.
 * A refund's shortfall is counted at the refunding store, which bears it.
 */
async function addPoints(
  db: Database,
  month: string,
  isReached: (party: string) => boolean,
  rowOf: (id: string) => StoreRow,
  debts: Debts,
): Promise<void> {
  const [year, monthNumber] = month.split('-').map(Number)
  const from = monthStartInShanghai(year, monthNumber)
  const to =
    monthNumber === 12
      ? monthStartInShanghai(year + 1, 1)
      : monthStartInShanghai(year, monthNumber + 1)
  const inMonth = { $gte: from, $lt: to }

  const shortfalls = await aggregateGroups<ShortfallGroup>(
    db,
    'settlements',
    [
      { $match: { kind: 'pointsShortfall', at: inMonth } },
      { $group: { _id: '$storeId', points: { $sum: '$points' } } },
    ],
    { _id: 1 },
  )
  for (const group of shortfalls) {
    if (isReached(group._id)) rowOf(group._id).pointsShortfall += group.points
  }

  const entries = await aggregateGroups<EntryGroup>(
    db,
    'pointEntries',
    [
      { $match: { at: inMonth, kind: { $in: ['earn', 'reversal', 'spend'] } } },
      { $group: { _id: { storeId: '$storeId', kind: '$kind' }, delta: { $sum: '$delta' } } },
    ],
    { '_id.storeId': 1, '_id.kind': 1 },
  )
  for (const group of entries) {
    const party = group._id.storeId ?? HQ_PARTY
    if (party === HQ_PARTY || !isReached(party)) continue

    if (group._id.kind === 'spend') rowOf(party).pointsConsumed -= group.delta
    else rowOf(party).pointsCreated += group.delta
  }

  const takes = await aggregateGroups<TakeGroup>(
    db,
    'pointEntries',
    [
      { $match: { at: inMonth, kind: 'spend' } },
      { $unwind: '$lots' },
      {
        $group: {
          _id: { storeId: '$storeId', lotStoreId: '$lots.storeId' },
          points: { $sum: '$lots.points' },
        },
      },
    ],
    { '_id.storeId': 1, '_id.lotStoreId': 1 },
  )
  for (const group of takes) {
    debts.add(group._id.lotStoreId ?? HQ_PARTY, group._id.storeId ?? HQ_PARTY, 0, group.points)
  }
}

const CSV_COLUMNS = [
  'section',
  'party',
  'store_name',
  'counterparty',
  'redeemed_for_others_fen',
  'redeemed_by_others_fen',
  'redemptions',
  'points_created',
  'points_consumed',
  'points_shortfall',
  'owed_coupon_fen',
  'owed_points',
] as const

/**
 * The settlement as one CSV table: a `store` row per store with its name, then a `pair` row per
 * pair saying what `party` owes `counterparty`. UTF-8 with a BOM so that Excel reads it as such.
 */
export function formatSettlementCsv(report: SettlementReport): string {
  const rows: Array<Array<string | number>> = [
    [...CSV_COLUMNS],
    ...report.stores.map((row) => [
      'store',
      row.storeId,
      row.name ?? '',
      '',
      row.redeemedForOthersFen,
      row.redeemedByOthersFen,
      row.redemptions,
      row.pointsCreated,
      row.pointsConsumed,
      row.pointsShortfall,
      '',
      '',
    ]),
    ...report.pairs.map((pair) => [
      'pair',
      pair.from,
      '',
      pair.to,
      '',
      '',
      '',
      '',
      '',
      '',
      pair.couponFen,
      pair.points,
    ]),
  ]

  return stringify(rows, { bom: true, record_delimiter: 'windows' })
}

/** The settlement as the console asks for it: the report, or the report as a CSV file. */
export interface SettlementRequest {
  month: string
  storeId: string | null
  format?: 'json' | 'csv'
  /** The stores a caller of one region reaches, and that region; absent for the whole chain. */
  region?: { regionId: string | null; storeIds: string[] } | null
}

export async function answerSettlement(
  db: Database,
  request: SettlementRequest,
): Promise<Result<SettlementReport | { filename: string; csv: string }>> {
  const { storeId, region } = request
  if (storeId && region && !region.storeIds.includes(storeId)) {
    return refuse('NOT_ALLOWED', '这家门店不在您的范围内')
  }
  if (storeId && !(await db.get('stores', storeId))) return refuse('NOT_FOUND', '没有这家门店')

  const storeIds = storeId ? [storeId] : (region?.storeIds ?? null)
  const report = await buildSettlement(db, request.month, storeId, storeIds)
  if (request.format !== 'csv') return succeed(report)

  const party = storeId ?? (region ? `region-${region.regionId ?? 'none'}` : 'all')
  const filename = `settlement-${request.month}-${party}.csv`

  return succeed({ filename, csv: formatSettlementCsv(report) })
}
