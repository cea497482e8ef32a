import { z } from 'zod'
import { runBirthdayGifts } from '../domain/birthday-gifts'
import { succeed } from '../domain/result'
import { defineFunction } from '../platform/define-function'

/**
 * The day's birthday gifts on a timer. It fires every ten minutes so that a day with more
 * birthdays than one run issues is finished within the hour; once the day is done a run only
 * reads its progress.
 */
export const main = defineFunction({
  name: 'birthdayGreeting',
  // CloudBase writes the timer event; it is not ours to make strict.
  schema: z.object({ Type: z.literal('Timer'), TriggerName: z.string(), Time: z.string() }),
  async handle(_event, { now, requestId }, { db, log, randomBytes }) {
    const report = await runBirthdayGifts(db, { now, requestId, randomBytes })
    log.info('birthday gifts run', { ...report })

    return succeed(report)
  },
})
