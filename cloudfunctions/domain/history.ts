import type { History } from '../../typings/member'
import { loadStoreRefs } from './chain'
import type { VisitDoc } from './models'
import type { PointEntryDoc } from './points-ledger'
import type { Database } from './ports'
import { formatBusinessTime } from './time'

const PAGE_SIZE = 20
/** Visits recorded in the very same millisecond as a page's last one; more would be skipped. */
const SAME_INSTANT_ALLOWANCE = 20
/** A page's refunds, each a ledger entry; the most one query answers. */
const REVERSALS_PER_PAGE = 1_000

/**
 * The member's visits at every store, newest first, a page at a time. The cursor names the last
 * visit shown, not an offset, so a purchase recorded meanwhile neither repeats nor hides a line.
 * Each visit carries its refunds, so the member reads an order once, with what came back of it.
 */
export async function listHistory(
  db: Database,
  memberId: string,
  cursor: string | undefined,
): Promise<History> {
  const after = cursor ? parseCursor(cursor) : null
  const candidates = await db.find<VisitDoc>(
    'visits',
    after ? { memberId, at: { $lte: after.at } } : { memberId },
    {
      orderBy: [
        ['at', 'desc'],
        ['_id', 'desc'],
      ],
      limit: PAGE_SIZE + 1 + (after ? SAME_INSTANT_ALLOWANCE : 0),
    },
  )
  const visits = after
    ? candidates.filter((visit) => visit.at < after.at || visit._id < after.id)
    : candidates
  const page = visits.slice(0, PAGE_SIZE)
  const stores = await loadStoreRefs(
    db,
    page.map((visit) => visit.storeId),
  )
  const unknownStore = (storeId: string) => ({
    storeId,
    name: '已关闭门店',
    city: '',
    district: '',
  })
  const reversed = await sumReversals(db, memberId, page)
  const last = page[page.length - 1]

  return {
    items: page.map((visit) => ({
      kind: 'visit' as const,
      visitId: visit._id,
      at: formatBusinessTime(visit.at),
      store: stores.get(visit.storeId) ?? unknownStore(visit.storeId),
      orderNo: visit.orderNo,
      amountFen: visit.amountFen,
      pointsEarned: visit.pointsEarned,
      refundedFen: visit.refundedFen ?? 0,
      pointsReversed: reversed.get(visit._id) ?? 0,
    })),
    nextCursor: visits.length > PAGE_SIZE && last ? `${last.at}~${last._id}` : null,
  }
}

function parseCursor(cursor: string): { at: string; id: string } {
  const separator = cursor.indexOf('~')

  return { at: cursor.slice(0, separator), id: cursor.slice(separator + 1) }
}

/**
 * The points the refunds of each refunded visit took from the balance. The visit's own
 * `pointsReversed` also counts the shortfall a store bore for points already spent, which the
 * member never lost; their ledger's reversals are what their points page shows.
 */
async function sumReversals(
  db: Database,
  memberId: string,
  page: VisitDoc[],
): Promise<Map<string, number>> {
  const refunded = page.filter((visit) => visit.refundedFen)
  const sums = new Map<string, number>()
  if (refunded.length === 0) return sums

  const entries = await db.find<PointEntryDoc>(
    'pointEntries',
    { memberId, kind: 'reversal', orderNo: { $in: refunded.map((visit) => visit.orderNo) } },
    { limit: REVERSALS_PER_PAGE },
  )
  for (const entry of entries) {
    const visitId = `${entry.storeId}.${entry.orderNo}`
    sums.set(visitId, (sums.get(visitId) ?? 0) - entry.delta)
  }

  return sums
}
