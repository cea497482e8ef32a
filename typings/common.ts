import { z } from 'zod'

/** An amount of money in fen (1 yuan = 100 fen). */
export const fenSchema = z.number().int().nonnegative().max(100_000_000)

export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)

export const orderNoSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)

export const isoTimeSchema = z.string().datetime({ offset: true })

export const tierSchema = z.enum(['regular', 'silver', 'gold', 'black'])

export type Tier = z.infer<typeof tierSchema>

export const tierNames: Record<Tier, string> = {
  regular: '普通会员',
  silver: '银卡会员',
  gold: '金卡会员',
  black: '黑金会员',
}

export const roleSchema = z.enum([
  'member',
  'clerk',
  'store_manager',
  'region_manager',
  'hq_admin',
  'hq_analyst',
])

export type Role = z.infer<typeof roleSchema>

export const storeRefSchema = z.object({
  storeId: z.string(),
  name: z.string(),
  city: z.string(),
  district: z.string(),
})

export type StoreRef = z.infer<typeof storeRefSchema>

export function okSchema<T extends z.ZodTypeAny>(data: T) {
  return z.object({ ok: z.literal(true), data })
}
