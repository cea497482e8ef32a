import { z } from 'zod'
import { idSchema, isoTimeSchema, storeRefSchema, tierSchema, type Tier } from './common'

/**
 * The points contract: HQ's earning, expiry and tier rules, the member's ledger as they see it,
 * and the counter's spend and refund answers.
 */

/** A Shanghai business date, `YYYY-MM-DD`. */
export const businessDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(isCalendarDay, '不是有效的日期')

function isCalendarDay(written: string): boolean {
  const [year, month, day] = written.split('-').map(Number)
  const date = new Date(Date.UTC(year, month - 1, day))

  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** Multipliers are whole percents so that points are integer arithmetic: 150 is ×1.5. */
export const multiplierPercentSchema = z.number().int().min(100).max(1_000)

export const tierOrder: readonly Tier[] = ['regular', 'silver', 'gold', 'black']

export const tierRuleSchema = z.strictObject({
  tier: tierSchema,
  /** Qualifying points earned in the rolling 12 months that reach this tier. */
  threshold: z.number().int().min(0).max(10_000_000),
  multiplierPercent: multiplierPercentSchema,
  /** The birthday gift in words, as the member's tier page shows it. */
  birthdayGift: z.string().trim().max(64),
  /**
   * The coupon template the birthdayGreeting timer issues on the member's birthday; absent or
   * null, the tier gives no coupon and the words alone describe the gift.
   */
  birthdayGiftTemplateId: idSchema.nullable().optional(),
})

export type TierRule = z.infer<typeof tierRuleSchema>

export const promotionSchema = z
  .strictObject({
    promotionId: idSchema,
    title: z.string().trim().min(1).max(32),
    storeIds: z.array(idSchema).min(1).max(500),
    multiplierPercent: multiplierPercentSchema,
    startsOn: businessDateSchema,
    endsOn: businessDateSchema,
  })
  .refine((promotion) => promotion.startsOn <= promotion.endsOn, {
    message: '结束日期早于开始日期',
    path: ['endsOn'],
  })

export type Promotion = z.infer<typeof promotionSchema>

export const pointsRulesSchema = z.strictObject({
  earning: z.strictObject({
    /** Points per whole yuan of the amount that earns; fractions of a yuan earn nothing. */
    pointsPerYuan: z.number().int().min(0).max(100),
    /** What the counter must leave out of the earning amount (tobacco, gift cards ...). */
    excludedNote: z.string().trim().max(200),
  }),
  expiry: z.strictObject({
    /** Lots expire at the end of this many months after the month they were earned; null never. */
    months: z.number().int().min(1).max(60).nullable(),
  }),
  tiers: z
    .array(tierRuleSchema)
    .length(tierOrder.length)
    .refine((tiers) => tiers.every((rule, index) => rule.tier === tierOrder[index]), {
      message: '等级须按 普通/银卡/金卡/黑金 排列',
    })
    .refine((tiers) => tiers[0]?.threshold === 0, { message: '普通会员的门槛须为 0' })
    .refine(
      (tiers) => tiers.every((rule, i) => i === 0 || rule.threshold > tiers[i - 1].threshold),
      {
        message: '等级门槛须逐级升高',
      },
    ),
  /** The yearly Shanghai date (`MM-DD`) on which tiers may go down. */
  tierReviewDate: z
    .string()
    .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)
    .refine(
      (written) => written !== '02-29' && businessDateSchema.safeParse(`2001-${written}`).success,
    ),
  promotions: z.array(promotionSchema).max(50),
})

export type PointsRules = z.infer<typeof pointsRulesSchema>

export const tierProgressSchema = z.object({
  tier: tierSchema,
  name: z.string(),
  multiplierPercent: z.number().int(),
  birthdayGift: z.string(),
  qualifyingPoints: z.number().int(),
  nextTier: tierSchema.nullable(),
  nextTierName: z.string().nullable(),
  pointsToNext: z.number().int().nullable(),
})

export type TierProgress = z.infer<typeof tierProgressSchema>

export const tierInfoSchema = z.object({
  progress: tierProgressSchema,
  tiers: z.array(tierRuleSchema.extend({ name: z.string() })),
  reviewDate: z.string(),
})

export type TierInfo = z.infer<typeof tierInfoSchema>

export const entryKindSchema = z.enum(['earn', 'spend', 'reversal', 'expiry', 'adjust'])

export type EntryKind = z.infer<typeof entryKindSchema>

export const pointsDetailSchema = z.object({
  balance: z.number().int(),
  expiringSoon: z.number().int(),
  lots: z.array(
    z.object({
      lotId: z.string(),
      store: storeRefSchema.nullable(),
      orderNo: z.string().nullable(),
      points: z.number().int(),
      remaining: z.number().int(),
      earnedAt: isoTimeSchema,
      expiresAt: isoTimeSchema.nullable(),
    }),
  ),
  entries: z.array(
    z.object({
      entryId: z.string(),
      kind: entryKindSchema,
      delta: z.number().int(),
      store: storeRefSchema.nullable(),
      orderNo: z.string().nullable(),
      lots: z.array(z.object({ lotId: z.string(), points: z.number().int() })),
      reason: z.string().nullable(),
      at: isoTimeSchema,
      balanceAfter: z.number().int(),
    }),
  ),
  nextCursor: z.string().nullable(),
})

export type PointsDetail = z.infer<typeof pointsDetailSchema>

export const spendResultSchema = z.object({ balance: z.number().int() })

export type SpendResult = z.infer<typeof spendResultSchema>

export const refundResultSchema = z.object({
  refundedFen: z.number().int(),
  pointsReversed: z.number().int(),
  /** Points the order earned that were already spent: the store bears them, the member owes none. */
  shortfall: z.number().int(),
  balance: z.number().int(),
})

export type RefundResult = z.infer<typeof refundResultSchema>
