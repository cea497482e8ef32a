import { z } from 'zod'
import { succeed } from '../domain/result'
import { defineFunction } from '../platform/define-function'

/** Does nothing through the same path as every function: the floor the benchmarks compare to. */
export const main = defineFunction({
  name: 'ping',
  schema: z.strictObject({ action: z.literal('ping') }),
  async handle(_event, { now }) {
    return succeed({ now: now.toISOString() })
  },
})
