import { z } from 'zod'
import { purgeUsedCardCodes } from '../domain/card-codes'
import { succeed } from '../domain/result'
import { defineFunction } from '../platform/define-function'

/**
 * Hourly, removes the records of card codes whose minute has long passed. A busy hour leaves
 * more than one run removes; the next run continues.
 */
export const main = defineFunction({
  name: 'cardCodePurge',
  // CloudBase writes the timer event; it is not ours to make strict.
  schema: z.object({ Type: z.literal('Timer'), TriggerName: z.string(), Time: z.string() }),
  async handle(_event, { now }, { db, log }) {
    const report = await purgeUsedCardCodes(db, now)
    log.info('used card codes purged', { ...report })

    return succeed(report)
  },
})
