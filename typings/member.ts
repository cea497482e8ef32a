import { z } from 'zod'
import { idSchema, isoTimeSchema, storeRefSchema, tierSchema } from './common'

/**
 * A calendar date, `YYYY-MM-DD` or `MM-DD` when the member keeps the year to themselves. Never a
 * time: a birthday must not move a day with anyone's time zone. 02-29 is a real birthday.
 */
export const birthdaySchema = z
  .string()
  .regex(/^(\d{4}-)?\d{2}-\d{2}$/)
  .refine(isCalendarDate, '不是有效的日期')

function isCalendarDate(written: string): boolean {
  const [year, month, day] = (written.length === 5 ? `2000-${written}` : written).split('-')
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))

  return (
    Number(year) >= 1900 &&
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  )
}

/** Events of the `member` function; the caller is the member WeChat names. */
export const memberEventSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('terms') }),
  z.strictObject({
    action: z.literal('register'),
    phoneCode: z.string().min(1).max(128),
    storeId: idSchema.optional(),
    birthday: birthdaySchema.optional(),
    name: z.string().trim().min(1).max(32).optional(),
    consentVersion: z.string().min(1).max(32),
  }),
  z.strictObject({ action: z.literal('card') }),
  z.strictObject({ action: z.literal('code') }),
  z.strictObject({ action: z.literal('history'), cursor: z.string().max(64).optional() }),
])

export type MemberEvent = z.infer<typeof memberEventSchema>

export const termsSchema = z.object({ version: z.string(), text: z.string() })

export type Terms = z.infer<typeof termsSchema>

export const cardSchema = z.object({
  memberId: z.string(),
  memberNo: z.string(),
  maskedPhone: z.string(),
  name: z.string().nullable(),
  tier: tierSchema,
  points: z.number().int(),
  pointsExpiringSoon: z.number().int(),
  homeStore: storeRefSchema.nullable(),
  couponCount: z.number().int(),
  codeSecret: z.string(),
  codeStepSeconds: z.number().int(),
  serverTime: isoTimeSchema,
})

export type Card = z.infer<typeof cardSchema>

export const registerResultSchema = z.object({ card: cardSchema, isNew: z.boolean() })

export type RegisterResult = z.infer<typeof registerResultSchema>

export const cardCodeSchema = z.object({ code: z.string(), expiresAt: isoTimeSchema })

export type CardCode = z.infer<typeof cardCodeSchema>

export const historyItemSchema = z.object({
  kind: z.enum(['visit']),
  visitId: z.string(),
  at: isoTimeSchema,
  store: storeRefSchema,
  orderNo: z.string(),
  amountFen: z.number().int(),
  pointsEarned: z.number().int(),
})

export type HistoryItem = z.infer<typeof historyItemSchema>

export const historySchema = z.object({
  items: z.array(historyItemSchema),
  nextCursor: z.string().nullable(),
})

export type History = z.infer<typeof historySchema>
