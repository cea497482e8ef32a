import { stringify } from 'csv-stringify/sync'
import type { SettlementReport } from '../../typings/coupons'
import type { CouponSettlementDoc } from './coupon-redemption'
import type { PointLotDoc } from './models'
import type { PointsShortfallDoc } from './points'
import type { PointEntryDoc } from './points-ledger'
import { monthStartInShanghai } from './points-rules'
import type { Database, Doc, Filter } from './ports'
import { refuse, succeed, type Result } from './result'

/**
 * The monthly settlement between stores. Coupons come from the `settlements` lines written with
 * each redemption and reinstatement; points from the ledger's entries, whose spends name the lots
 * they took, and each lot the store that created the liability, and from the shortfall lines
 * refunds write. HQ is the party `hq`.
 */
export const HQ_PARTY = 'hq'

/** CloudBase answers at most this many documents a query. */
const PAGE_SIZE = 1_000

// TODO(#6): a month is read whole into the function; a chain with millions of lines a month
// needs the sums kept per store and month as they are written, or CloudBase's aggregation.
async function findAll<T extends Doc>(db: Database, collection: string, filter: Filter) {
  const all: T[] = []
  for (let skip = 0; ; skip += PAGE_SIZE) {
    const page = await db.find<T>(collection, filter, {
      orderBy: [['_id', 'asc']],
      skip,
      limit: PAGE_SIZE,
    })
    all.push(...page)
    if (page.length < PAGE_SIZE) return all
  }
}

interface StoreRow {
  storeId: string
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

export async function buildSettlement(
  db: Database,
  month: string,
  storeId: string | null,
): Promise<SettlementReport> {
  const rows = new Map<string, StoreRow>()
  const rowOf = (id: string) => {
    const row = rows.get(id) ?? {
      storeId: id,
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

  const lines = await findAll<CouponSettlementDoc>(db, 'settlements', { month })
  for (const line of lines) {
    const bearer = line.bearerStoreId ?? HQ_PARTY
    const serving = line.servingStoreId
    if (storeId && bearer !== storeId && serving !== storeId) continue

    const count = line.kind === 'couponRedeemed' ? 1 : -1
    rowOf(serving).redemptions += count
    if (bearer !== serving) {
      rowOf(serving).redeemedForOthersFen += line.amountFen
      if (bearer !== HQ_PARTY) rowOf(bearer).redeemedByOthersFen += line.amountFen
    }
    debts.add(bearer, serving, line.amountFen, 0)
    totals.redemptions += count
    totals.couponFen += line.amountFen
  }

  await addPoints(db, month, storeId, rowOf, debts)

  return {
    month,
    storeId,
    stores: [...rows.values()]
      .filter((row) => !storeId || row.storeId === storeId)
      .sort((a, b) => a.storeId.localeCompare(b.storeId)),
    pairs: debts.net().filter((pair) => !storeId || pair.from === storeId || pair.to === storeId),
    totals,
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
  storeId: string | null,
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
  const shortfalls = await findAll<PointsShortfallDoc>(db, 'settlements', {
    kind: 'pointsShortfall',
    at: inMonth,
  })
  for (const line of shortfalls) {
    if (!storeId || line.storeId === storeId) rowOf(line.storeId).pointsShortfall += line.points
  }

  const entries = await findAll<PointEntryDoc>(db, 'pointEntries', { at: inMonth })
  const spends = entries.filter((entry) => entry.kind === 'spend')
  const lotIds = [...new Set(spends.flatMap((entry) => entry.lots.map((lot) => lot.lotId)))]
  const lotStores = new Map<string, string>()
  for (let i = 0; i < lotIds.length; i += PAGE_SIZE) {
    const chunk = lotIds.slice(i, i + PAGE_SIZE)
    const lots = await db.find<PointLotDoc>(
      'pointLots',
      { _id: { $in: chunk } },
      { limit: chunk.length },
    )
    for (const lot of lots) lotStores.set(lot._id, lot.storeId ?? HQ_PARTY)
  }

  for (const entry of entries) {
    const party = entry.storeId ?? HQ_PARTY
    const isEarn = entry.kind === 'earn' || entry.kind === 'reversal'
    if (isEarn && party !== HQ_PARTY && (!storeId || party === storeId)) {
      rowOf(party).pointsCreated += entry.delta
    }
    if (entry.kind !== 'spend') continue

    if (party !== HQ_PARTY && (!storeId || party === storeId)) {
      rowOf(party).pointsConsumed -= entry.delta
    }
    for (const take of entry.lots) {
      debts.add(lotStores.get(take.lotId) ?? HQ_PARTY, party, 0, take.points)
    }
  }
}

const CSV_COLUMNS = [
  'section',
  'party',
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
 * The settlement as one CSV table: a `store` row per store, then a `pair` row per pair saying
 * what `party` owes `counterparty`. UTF-8 with a BOM so that Excel reads it as such.
 */
export function formatSettlementCsv(report: SettlementReport): string {
  const rows: Array<Array<string | number>> = [
    [...CSV_COLUMNS],
    ...report.stores.map((row) => [
      'store',
      row.storeId,
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
export async function answerSettlement(
  db: Database,
  request: { month: string; storeId: string | null; format?: 'json' | 'csv' },
): Promise<Result<SettlementReport | { filename: string; csv: string }>> {
  if (request.storeId && !(await db.get('stores', request.storeId))) {
    return refuse('NOT_FOUND', '没有这家门店')
  }

  const report = await buildSettlement(db, request.month, request.storeId)
  if (request.format !== 'csv') return succeed(report)

  const filename = `settlement-${request.month}-${request.storeId ?? 'all'}.csv`

  return succeed({ filename, csv: formatSettlementCsv(report) })
}
