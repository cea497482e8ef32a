import { z } from 'zod'
import { runCouponExpiry } from '../domain/coupon-expiry'
import { succeed } from '../domain/result'
import { defineFunction } from '../platform/define-function'

/**
 * The daily coupon expiry on a timer. It fires hourly so that a day's work too large for one run
 * is resumed within the hour; once the day is done a run only reads its progress.
 */
export const main = defineFunction({
  name: 'couponExpiry',
  // CloudBase writes the timer event; it is not ours to make strict.
  schema: z.object({ Type: z.literal('Timer'), TriggerName: z.string(), Time: z.string() }),
  async handle(_event, { now, requestId }, { db, log, randomBytes }) {
    const report = await runCouponExpiry(db, { now, requestId, randomBytes })
    log.info('coupon expiry run', { ...report })

    return succeed(report)
  },
})
