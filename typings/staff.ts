import { z } from 'zod'
import { fenSchema, isoTimeSchema, orderNoSchema, storeRefSchema, tierSchema } from './common'
import { couponStaffEventSchemas, usableCouponSchema } from './coupons'
import { staffAdminEventSchemas } from './staff-admin'

/** Events of the `staff` function; the caller is a member of staff WeChat names. */
export const staffEventSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('me') }),
  z.strictObject({ action: z.literal('scan'), code: z.string().trim().min(1).max(64) }),
  z.strictObject({
    action: z.literal('recordPurchase'),
    visitToken: z.string().min(1).max(512),
    orderNo: orderNoSchema,
    amountFen: fenSchema.positive(),
    /** The part of the amount that earns no points under HQ's rule (tobacco, gift cards ...). */
    excludedFen: fenSchema.optional(),
  }),
  z.strictObject({
    action: z.literal('spendPoints'),
    visitToken: z.string().min(1).max(512),
    points: z.number().int().positive().max(10_000_000),
    orderNo: orderNoSchema,
  }),
  z.strictObject({
    action: z.literal('refund'),
    orderNo: orderNoSchema,
    amountFen: fenSchema.positive(),
    /**
     * The POS's refund receipt number (退款单号): tells apart several partial refunds of one
     * order, and a retry of one refund from the next. Absent means the order's first refund.
     */
    refundNo: orderNoSchema.optional(),
  }),
  ...couponStaffEventSchemas,
  ...staffAdminEventSchemas,
])

export type StaffEvent = z.infer<typeof staffEventSchema>

export const staffProfileSchema = z.object({
  openid: z.string(),
  name: z.string(),
  role: z.enum(['clerk', 'store_manager', 'region_manager', 'hq_admin', 'hq_analyst']),
  store: storeRefSchema.nullable(),
  regionId: z.string().nullable(),
  /** The name of `regionId`'s region, so that a region manager's pages can say where they work. */
  regionName: z.string().nullable(),
})

export type StaffProfile = z.infer<typeof staffProfileSchema>

export const scanResultSchema = z.object({
  visitToken: z.string(),
  visitExpiresAt: isoTimeSchema,
  member: z.object({
    memberId: z.string(),
    maskedPhone: z.string(),
    name: z.string().nullable(),
    tier: tierSchema,
    points: z.number().int(),
    usableCoupons: z.array(usableCouponSchema),
    lastVisit: z.object({ at: isoTimeSchema, store: storeRefSchema }).nullable(),
    homeStore: storeRefSchema.nullable(),
  }),
})

export type ScanResult = z.infer<typeof scanResultSchema>

export const purchaseResultSchema = z.object({
  visitId: z.string(),
  pointsEarned: z.number().int(),
  balance: z.number().int(),
})

export type PurchaseResult = z.infer<typeof purchaseResultSchema>
