import { z } from 'zod'
import { birthdaySchema } from './calendar-date'
import { idSchema, isoTimeSchema, storeRefSchema, tierSchema } from './common'
import { tierProgressSchema } from './points'
import { identityEventSchemas } from './member-identity'
import { couponMemberEventSchemas } from './coupons'

export { birthdaySchema }

/** Where a page of history ended: the stored time and id of its last visit, `<UTC ISO>~<id>`. */
export const historyCursorSchema = z
  .string()
  .max(200)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z~[A-Za-z0-9_.-]+$/)

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
  z.strictObject({ action: z.literal('history'), cursor: historyCursorSchema.optional() }),
  z.strictObject({ action: z.literal('points'), cursor: z.string().max(64).optional() }),
  z.strictObject({ action: z.literal('tier') }),
  z.strictObject({ action: z.literal('stores') }),
  ...identityEventSchemas,
  ...couponMemberEventSchemas,
])

export type MemberEvent = z.infer<typeof memberEventSchema>

/** The chain's open stores, for a member choosing the one they go to most. */
export const storeListSchema = z.object({ stores: z.array(storeRefSchema) })

export type StoreList = z.infer<typeof storeListSchema>

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
  tierProgress: tierProgressSchema,
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
  /** What the order's refunds gave back so far; 0 when none. */
  refundedFen: z.number().int(),
  /** What those refunds took back from the balance, as the points page shows each of them. */
  pointsReversed: z.number().int(),
})

export type HistoryItem = z.infer<typeof historyItemSchema>

export const historySchema = z.object({
  items: z.array(historyItemSchema),
  nextCursor: z.string().nullable(),
})

export type History = z.infer<typeof historySchema>
