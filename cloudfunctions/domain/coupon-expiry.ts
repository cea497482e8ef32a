import { appendAudit, systemAuditActor } from './audit'
import type { CouponDoc } from './coupons'
import type { RandomBytes } from './members'
import type { Database, Doc } from './ports'
import { businessDate, toStoredTime } from './time'

/**
 * The daily coupon job: marks usable coupons past their last valid moment as expired, a bounded
 * chunk at a time, with its progress in `jobs` so that a run cut short is finished by the next.
 * Members never depend on it: the wallet and the counter judge validity at read time.
 */
export interface CouponExpiryLimits {
  couponsPerChunk: number
  chunksPerRun: number
}

export const defaultCouponExpiryLimits: CouponExpiryLimits = {
  couponsPerChunk: 500,
  chunksPerRun: 10,
}

interface CouponExpiryJobDoc extends Doc {
  date: string
  status: 'running' | 'done'
  couponsExpired: number
  chunks: number
  updatedAt: string
}

export interface CouponExpiryReport {
  date: string
  status: 'running' | 'done'
  couponsExpired: number
}

export interface CouponExpiryContext {
  now: Date
  requestId: string
  randomBytes: RandomBytes
}

export async function runCouponExpiry(
  db: Database,
  context: CouponExpiryContext,
  limits: CouponExpiryLimits = defaultCouponExpiryLimits,
): Promise<CouponExpiryReport> {
  const { now } = context
  const date = businessDate(now)
  const jobId = `couponExpiry.${date}`
  const job = (await db.get<CouponExpiryJobDoc>('jobs', jobId)) ?? {
    _id: jobId,
    date,
    status: 'running',
    couponsExpired: 0,
    chunks: 0,
    updatedAt: toStoredTime(now),
  }
  if (job.status === 'done') return { date, status: 'done', couponsExpired: job.couponsExpired }

  const at = toStoredTime(now)
  for (let chunk = 0; chunk < limits.chunksPerRun; chunk += 1) {
    const due = await db.find<CouponDoc>(
      'coupons',
      { status: 'usable', validUntil: { $lte: at } },
      { limit: limits.couponsPerChunk },
    )
    job.couponsExpired += await expireChunk(db, due, context)
    job.chunks += 1
    // Only a query that finds nothing due ends the day. A page shorter than asked proves nothing:
    // CloudBase's SDK asks for 1000 documents at most, whatever the limit it is given.
    job.status = due.length === 0 ? 'done' : 'running'
    job.updatedAt = at
    await db.set('jobs', job)
    if (job.status === 'done') break
  }

  return { date, status: job.status, couponsExpired: job.couponsExpired }
}

/**
 * Each coupon in a transaction of its own that reads it first: a coupon redeemed or reinstated
 * since the query is left as the counter left it. Each expiry is audited in its transaction, one
 * entry per coupon: an auditor searching a member sees which coupon lapsed and when, and an entry
 * never names a coupon that a run cut short did not expire.
 */
async function expireChunk(
  db: Database,
  due: CouponDoc[],
  context: CouponExpiryContext,
): Promise<number> {
  const at = toStoredTime(context.now)
  const actor = systemAuditActor('couponExpiry')
  let expired = 0
  for (const found of due) {
    const isExpired = await db.transaction(async (tx) => {
      const coupon = await tx.get<CouponDoc>('coupons', found._id)
      if (!coupon || coupon.status !== 'usable' || coupon.validUntil > at) return false

      await tx.update('coupons', coupon._id, { set: { status: 'expired', expiredAt: at } })
      const record = {
        actor,
        action: 'expireCoupon',
        memberId: coupon.memberId,
        fields: ['coupons'],
        requestId: context.requestId,
        detail: {
          couponId: coupon._id,
          templateId: coupon.templateId,
          validUntil: coupon.validUntil,
        },
      }
      await appendAudit(tx, record, context.now, context.randomBytes)

      return true
    })
    if (isExpired) expired += 1
  }

  return expired
}
