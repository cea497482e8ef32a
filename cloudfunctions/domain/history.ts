import type { History } from '../../typings/member'
import { loadStoreRefs } from './chain'
import type { VisitDoc } from './models'
import type { Database } from './ports'
import { formatBusinessTime } from './time'

const PAGE_SIZE = 20

/** The member's visits at every store, newest first, a page at a time. */
export async function listHistory(
  db: Database,
  memberId: string,
  cursor: string | undefined,
): Promise<History> {
  const offset = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 0
  const visits = await db.find<VisitDoc>(
    'visits',
    { memberId },
    {
      orderBy: [
        ['at', 'desc'],
        ['_id', 'desc'],
      ],
      skip: offset,
      limit: PAGE_SIZE + 1,
    },
  )
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

  return {
    items: page.map((visit) => ({
      kind: 'visit' as const,
      visitId: visit._id,
      at: formatBusinessTime(visit.at),
      store: stores.get(visit.storeId) ?? unknownStore(visit.storeId),
      orderNo: visit.orderNo,
      amountFen: visit.amountFen,
      pointsEarned: visit.pointsEarned,
    })),
    nextCursor: visits.length > PAGE_SIZE ? String(offset + PAGE_SIZE) : null,
  }
}
