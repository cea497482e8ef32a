import { z } from 'zod'
import { runPointsJob } from '../domain/point-expiry'
import { succeed } from '../domain/result'
import { defineFunction } from '../platform/define-function'

/**
 * The daily points job on a timer: expiry of due lots, then the yearly tier review. The trigger
 * fires every ten minutes so that a day's work too large for one run is resumed within minutes;
 * once the day is done a run only reads its progress.
 */
export const main = defineFunction({
  name: 'pointExpiry',
  // CloudBase writes the timer event; it is not ours to make strict.
  schema: z.object({ Type: z.literal('Timer'), TriggerName: z.string(), Time: z.string() }),
  async handle(_event, { now, requestId }, { db, log, randomBytes }) {
    const report = await runPointsJob(db, now, { requestId, randomBytes })
    log.info('points job run', { ...report })

    return succeed(report)
  },
})
