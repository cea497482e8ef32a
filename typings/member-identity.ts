import { z } from 'zod'
import { birthdaySchema } from './calendar-date'
import { idSchema, isoTimeSchema, storeRefSchema } from './common'

/**
 * The member's own identity: rebinding the phone to another WeChat account, the profile,
 * accepting new privacy terms and deleting the account. Part of the `member` function's events.
 */

const phoneCodeSchema = z.string().min(1).max(128)
/** Rebind tickets are 32 hex digits of server randomness. */
const rebindTicketSchema = z.string().regex(/^[0-9a-f]{32}$/)

export const genderSchema = z.enum(['female', 'male', 'undisclosed'])

export type Gender = z.infer<typeof genderSchema>

export const genderNames: Record<Gender, string> = {
  female: '女',
  male: '男',
  undisclosed: '不透露',
}

export const identityEventSchemas = [
  z.strictObject({ action: z.literal('requestRebind'), phoneCode: phoneCodeSchema }),
  z.strictObject({ action: z.literal('pendingRebinds') }),
  z.strictObject({
    action: z.literal('confirmRebind'),
    ticket: rebindTicketSchema,
    phoneCode: phoneCodeSchema.optional(),
  }),
  z.strictObject({ action: z.literal('cancelRebind'), ticket: rebindTicketSchema }),
  z.strictObject({ action: z.literal('profile') }),
  z.strictObject({
    action: z.literal('updateProfile'),
    name: z.string().trim().min(1).max(32).nullable().optional(),
    birthday: birthdaySchema.nullable().optional(),
    gender: genderSchema.nullable().optional(),
    preferredStoreId: idSchema.nullable().optional(),
  }),
  z.strictObject({ action: z.literal('acceptTerms'), version: z.string().min(1).max(32) }),
  z.strictObject({ action: z.literal('deleteAccount') }),
] as const

export type IdentityEvent = z.infer<(typeof identityEventSchemas)[number]>

export type IdentityAction = IdentityEvent['action']

export const rebindRequestSchema = z.object({
  ticket: z.string(),
  maskedPhone: z.string(),
  expiresAt: isoTimeSchema,
  /** From then on the new account may finish alone with a second phone proof. */
  confirmableByPhoneFrom: isoTimeSchema,
})

export type RebindRequest = z.infer<typeof rebindRequestSchema>

export const pendingRebindsSchema = z.object({
  requests: z.array(rebindRequestSchema.extend({ requestedAt: isoTimeSchema })),
})

export type PendingRebinds = z.infer<typeof pendingRebindsSchema>

export const rebindResultSchema = z.object({
  memberId: z.string(),
  via: z.enum(['old-account', 'phone-proof']),
})

export type RebindResult = z.infer<typeof rebindResultSchema>

export const profileSchema = z.object({
  memberId: z.string(),
  maskedPhone: z.string(),
  name: z.string().nullable(),
  birthday: z.string().nullable(),
  gender: genderSchema.nullable(),
  preferredStore: storeRefSchema.nullable(),
  homeStore: storeRefSchema.nullable(),
  consent: z.object({ version: z.string(), acceptedAt: isoTimeSchema }),
})

export type Profile = z.infer<typeof profileSchema>

export const rebindCancelledSchema = z.object({ isCancelled: z.literal(true) })

export const deletionResultSchema = z.object({ isDeleted: z.literal(true) })
