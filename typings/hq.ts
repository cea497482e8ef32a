import { z } from 'zod'
import { idSchema, orderNoSchema, storeRefSchema } from './common'
import { pointsRulesSchema } from './points'
import { couponHqEventSchemas } from './coupons'
import { staffAdminHqEventSchemas } from './staff-admin'

/** Events of the `hq` function; the caller is HQ staff (region managers read only). */
export const hqEventSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('adjustPoints'),
    memberId: idSchema,
    points: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((points) => points !== 0, '调整积分不能为 0'),
    reason: z.string().trim().min(2).max(200),
    /**
     * The idempotency key of this adjustment; a retry with the same key changes nothing. Without
     * it the function makes a key of its own, so a retry of a lost answer adjusts twice.
     */
    adjustmentNo: orderNoSchema.optional(),
  }),
  z.strictObject({ action: z.literal('getRules') }),
  z.strictObject({ action: z.literal('updateRules'), rules: pointsRulesSchema }),
  /** The regions and stores of the caller's scope, for the console to choose places from. */
  z.strictObject({ action: z.literal('chain') }),
  ...couponHqEventSchemas,
  ...staffAdminHqEventSchemas,
])

export type HqEvent = z.infer<typeof hqEventSchema>

export const adjustResultSchema = z.object({ balance: z.number().int() })

export type AdjustResult = z.infer<typeof adjustResultSchema>

export const chainRegionSchema = z.object({
  regionId: z.string(),
  name: z.string(),
  stores: z.array(storeRefSchema.extend({ isOpen: z.boolean() })),
})

export type ChainRegion = z.infer<typeof chainRegionSchema>

export const chainSchema = z.object({ regions: z.array(chainRegionSchema) })
