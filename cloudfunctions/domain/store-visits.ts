import dayjs from 'dayjs'
import type { StoreVisit } from '../../typings/staff-admin'
import type { VisitDoc } from './models'
import type { Database } from './ports'
import { refuse, succeed, type Result } from './result'
import { BUSINESS_TIME_ZONE, businessDate, formatBusinessTime, toStoredTime } from './time'

/**
 * The store's visits of today (a Shanghai day) for the staff home page: amounts, points and who
 * served, but no member's personal data, so listing them is not an audited read.
 */

const VISIT_LIMIT = 200

export async function listTodaysVisits(
  db: Database,
  storeId: string | null,
  now: Date,
): Promise<Result<StoreVisit[]>> {
  if (!storeId) return refuse('NOT_ALLOWED', '只有门店员工可以查看本店到店记录')

  const dayStart = dayjs.tz(businessDate(now), BUSINESS_TIME_ZONE).toDate()
  const visits = await db.find<VisitDoc>(
    'visits',
    { storeId, at: { $gte: toStoredTime(dayStart) } },
    { orderBy: [['at', 'desc']], limit: VISIT_LIMIT },
  )

  return succeed(
    visits.map((visit) => ({
      visitId: visit._id,
      at: formatBusinessTime(visit.at),
      orderNo: visit.orderNo,
      amountFen: visit.amountFen,
      pointsEarned: visit.pointsEarned,
      refundedFen: visit.refundedFen ?? 0,
      clerkOpenid: visit.clerkOpenid,
    })),
  )
}
