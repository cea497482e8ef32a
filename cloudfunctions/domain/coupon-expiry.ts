import type { CouponDoc } from './coupons'
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

export async function runCouponExpiry(
  db: Database,
  now: Date,
  limits: CouponExpiryLimits = defaultCouponExpiryLimits,
): Promise<CouponExpiryReport> {
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
    const expired = await expireChunk(db, due, at)
    job.couponsExpired += expired
    job.chunks += 1
    job.status = due.length < limits.couponsPerChunk ? 'done' : 'running'
    job.updatedAt = at
    await db.set('jobs', job)
    if (job.status === 'done') break
  }

  return { date, status: job.status, couponsExpired: job.couponsExpired }
}

/**
 * Each coupon in a transaction of its own that reads it first: a coupon redeemed or reinstated
 * since the query is left as the counter left it.
 */
async function expireChunk(db: Database, due: CouponDoc[], at: string): Promise<number> {
  let expired = 0
  for (const found of due) {
    const isExpired = await db.transaction(async (tx) => {
      const coupon = await tx.get<CouponDoc>('coupons', found._id)
      if (!coupon || coupon.status !== 'usable' || coupon.validUntil > at) return false

      await tx.update('coupons', coupon._id, { set: { status: 'expired', expiredAt: at } })

      return true
    })
    if (isExpired) expired += 1
  }

  return expired
}
