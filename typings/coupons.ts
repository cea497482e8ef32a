import { z } from 'zod'
import { fenSchema, idSchema, isoTimeSchema, orderNoSchema, storeRefSchema } from './common'
import { businessDateSchema } from './points'

/**
 * The coupon contract: HQ's templates, issuing, the member's wallet, redemption at the counter,
 * and the monthly settlement between stores. The event schemas join the discriminated unions of
 * the member, staff and hq functions.
 */

export const couponKindSchema = z.enum(['cash', 'discount', 'gift'])

export type CouponKind = z.infer<typeof couponKindSchema>

export const costBearerSchema = z.enum(['hq', 'issuer', 'redeemer'])

export type CostBearer = z.infer<typeof costBearerSchema>

/** Where a coupon is accepted: everywhere, in one region, or at the stores listed. */
export const couponStoresSchema = z.union([
  z.literal('all'),
  z.strictObject({ regionId: idSchema }),
  z.array(idSchema).min(1).max(500),
])

export type CouponStores = z.infer<typeof couponStoresSchema>

export const couponStatusSchema = z.enum(['usable', 'used', 'expired'])

export type CouponStatus = z.infer<typeof couponStatusSchema>

/**
 * Where a page ended, for lists in time order: the stored UTC time and the id of its last item,
 * `<UTC ISO>~<id>`, as `nextCursor` gave it.
 */
export const timeCursorSchema = z
  .string()
  .max(200)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z~[A-Za-z0-9_-]+$/)
  .refine((cursor) => !Number.isNaN(Date.parse(cursor.slice(0, 24))), '分页位置无效')

/** Where a page of offers ended: the points price and the id of its last template. */
export const priceCursorSchema = z
  .string()
  .max(200)
  .regex(/^[1-9]\d{0,7}~[A-Za-z0-9_-]+$/)

/** A Shanghai month, `YYYY-MM`. */
export const businessMonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)

export const createCouponTemplateSchema = z
  .strictObject({
    action: z.literal('createCouponTemplate'),
    title: z.string().trim().min(1).max(32),
    kind: couponKindSchema,
    /** Cash off for `cash`; what the gift costs the bearer for `gift`. */
    valueFen: fenSchema.positive().optional(),
    /** What the member pays, in percent: 85 is 八五折. */
    discountPercent: z.number().int().min(1).max(99).optional(),
    /** The most a discount coupon takes off. */
    maxDiscountFen: fenSchema.positive().optional(),
    minSpendFen: fenSchema.optional(),
    validDays: z.number().int().min(1).max(3_650).optional(),
    validFrom: businessDateSchema.optional(),
    validTo: businessDateSchema.optional(),
    stores: couponStoresSchema.optional(),
    stock: z.number().int().min(1).max(10_000_000).optional(),
    perMemberLimit: z.number().int().min(1).max(1_000).optional(),
    /** Points a member pays to take one in exchange; absent means not exchangeable. */
    exchangePoints: z.number().int().positive().max(10_000_000).optional(),
    costBearer: costBearerSchema,
    /** The idempotency key of this template: a retry answers the template it made. */
    templateNo: orderNoSchema.optional(),
  })
  .refine((t) => t.kind !== 'discount' || (t.discountPercent && t.maxDiscountFen), {
    message: '折扣券须填写折扣和最高优惠金额',
    path: ['discountPercent'],
  })
  .refine((t) => t.kind === 'discount' || (t.valueFen && !t.discountPercent), {
    message: '现金券和礼品券须填写面值，且不能有折扣',
    path: ['valueFen'],
  })
  .refine((t) => (t.validDays === undefined) !== (t.validFrom === undefined), {
    message: '有效期须为“领取后 N 天”或“固定日期”之一',
    path: ['validDays'],
  })
  .refine((t) => (t.validFrom === undefined) === (t.validTo === undefined), {
    message: '固定日期须同时填写开始和结束',
    path: ['validTo'],
  })
  .refine((t) => !t.validFrom || !t.validTo || t.validFrom <= t.validTo, {
    message: '结束日期早于开始日期',
    path: ['validTo'],
  })

export type CreateCouponTemplateInput = Omit<z.infer<typeof createCouponTemplateSchema>, 'action'>

export const couponHqEventSchemas = [
  createCouponTemplateSchema,
  z.strictObject({
    action: z.literal('issueCoupons'),
    templateId: idSchema,
    memberIds: z.array(idSchema).min(1).max(200),
    /** The idempotency key of this batch: a retry issues nothing twice. */
    issueNo: orderNoSchema.optional(),
  }),
  /** Newest first, a page at a time; `cursor` is the `nextCursor` of the page before. */
  z.strictObject({ action: z.literal('couponTemplates'), cursor: timeCursorSchema.optional() }),
  z.strictObject({
    action: z.literal('settlement'),
    month: businessMonthSchema,
    storeId: idSchema.optional(),
    format: z.enum(['json', 'csv']).optional(),
  }),
] as const

export const couponMemberEventSchemas = [
  /** The wallet, newest first, a page at a time; `status` is what each coupon is now. */
  z.strictObject({
    action: z.literal('coupons'),
    status: couponStatusSchema.optional(),
    cursor: timeCursorSchema.optional(),
  }),
  /** One coupon of the member's, whatever page of the wallet it is on. */
  z.strictObject({ action: z.literal('coupon'), couponId: idSchema }),
  z.strictObject({
    action: z.literal('exchange'),
    templateId: idSchema,
    /** The idempotency key of this exchange: a retry spends the points once. */
    exchangeNo: orderNoSchema.optional(),
  }),
  /** The templates the member can take for points now, cheapest first, with their balance. */
  z.strictObject({ action: z.literal('exchangeable'), cursor: priceCursorSchema.optional() }),
] as const

export const couponStaffEventSchemas = [
  z.strictObject({
    action: z.literal('redeemCoupon'),
    visitToken: z.string().min(1).max(512),
    couponId: idSchema,
    orderNo: orderNoSchema,
    amountFen: fenSchema.positive().optional(),
  }),
  /** A store manager's settlement of their own store. */
  z.strictObject({
    action: z.literal('settlement'),
    month: businessMonthSchema,
    format: z.enum(['json', 'csv']).optional(),
  }),
] as const

export const couponTemplateSchema = z.object({
  templateId: z.string(),
  title: z.string(),
  kind: couponKindSchema,
  valueFen: z.number().int().nullable(),
  discountPercent: z.number().int().nullable(),
  maxDiscountFen: z.number().int().nullable(),
  minSpendFen: z.number().int(),
  validDays: z.number().int().nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  stores: couponStoresSchema,
  stock: z.number().int().nullable(),
  issued: z.number().int(),
  perMemberLimit: z.number().int().nullable(),
  exchangePoints: z.number().int().nullable(),
  costBearer: costBearerSchema,
  createdAt: isoTimeSchema,
})

export type CouponTemplate = z.infer<typeof couponTemplateSchema>

export const couponTemplatesSchema = z.object({
  templates: z.array(couponTemplateSchema),
  nextCursor: z.string().nullable(),
})

export type CouponTemplatePage = z.infer<typeof couponTemplatesSchema>

export const issueResultSchema = z.object({
  issued: z.array(z.object({ memberId: z.string(), couponId: z.string() })),
  refused: z.array(z.object({ memberId: z.string(), code: z.string() })),
})

export type IssueResult = z.infer<typeof issueResultSchema>

/** Where a coupon works, as people read it. */
export const couponPlacesSchema = z.object({
  scope: z.enum(['all', 'region', 'list']),
  description: z.string(),
  stores: z.array(storeRefSchema),
})

export const walletCouponSchema = z.object({
  couponId: z.string(),
  templateId: z.string(),
  title: z.string(),
  kind: couponKindSchema,
  valueFen: z.number().int().nullable(),
  discountPercent: z.number().int().nullable(),
  maxDiscountFen: z.number().int().nullable(),
  minSpendFen: z.number().int(),
  status: couponStatusSchema,
  validFrom: isoTimeSchema,
  /** The last valid moment: the end of a Shanghai day. */
  validUntil: isoTimeSchema,
  places: couponPlacesSchema,
  redeemed: z
    .object({ at: isoTimeSchema, store: storeRefSchema.nullable(), discountFen: z.number() })
    .nullable(),
})

export type WalletCoupon = z.infer<typeof walletCouponSchema>

export const walletSchema = z.object({
  coupons: z.array(walletCouponSchema),
  nextCursor: z.string().nullable(),
})

export type Wallet = z.infer<typeof walletSchema>

export const walletCouponAnswerSchema = z.object({ coupon: walletCouponSchema })

export const exchangeResultSchema = z.object({ couponId: z.string(), balance: z.number().int() })

export type ExchangeResult = z.infer<typeof exchangeResultSchema>

/** A template offered for points, with the validity a coupon taken now would have. */
export const exchangeableCouponSchema = z.object({
  templateId: z.string(),
  title: z.string(),
  kind: couponKindSchema,
  valueFen: z.number().int().nullable(),
  discountPercent: z.number().int().nullable(),
  maxDiscountFen: z.number().int().nullable(),
  minSpendFen: z.number().int(),
  exchangePoints: z.number().int(),
  /** Days from taking it, or null for a template of fixed dates. */
  validDays: z.number().int().nullable(),
  validFrom: isoTimeSchema,
  /** The last valid moment: the end of a Shanghai day. */
  validUntil: isoTimeSchema,
  places: couponPlacesSchema,
})

export type ExchangeableCoupon = z.infer<typeof exchangeableCouponSchema>

/**
 * `balance` is what an exchange could spend now. A page may hold fewer offers than others while
 * `nextCursor` still names more: it stops after reading so many templates that cannot be taken.
 */
export const exchangeableCouponsSchema = z.object({
  balance: z.number().int(),
  templates: z.array(exchangeableCouponSchema),
  nextCursor: z.string().nullable(),
})

export type ExchangeableCoupons = z.infer<typeof exchangeableCouponsSchema>

export const redeemedCouponSchema = z.object({
  couponId: z.string(),
  title: z.string(),
  orderNo: z.string(),
  storeId: z.string(),
  amountFen: z.number().int().nullable(),
  discountFen: z.number().int(),
  redeemedAt: isoTimeSchema,
})

export type RedeemedCoupon = z.infer<typeof redeemedCouponSchema>

export const usableCouponSchema = z.object({
  couponId: z.string(),
  title: z.string(),
  kind: couponKindSchema,
  minSpendFen: z.number().int(),
  validUntil: isoTimeSchema,
})

/** `hq` means headquarters as a party to a settlement. */
export const settlementPartySchema = z.string()

export const settlementReportSchema = z.object({
  month: z.string(),
  storeId: z.string().nullable(),
  stores: z.array(
    z.object({
      storeId: z.string(),
      /** The store's name; null for an id the chain no longer holds. */
      name: z.string().nullable(),
      /** Coupon value this store took off for which another party bears the cost. */
      redeemedForOthersFen: z.number().int(),
      /** Coupon value other stores took off for which this store bears the cost. */
      redeemedByOthersFen: z.number().int(),
      redemptions: z.number().int(),
      pointsCreated: z.number().int(),
      pointsConsumed: z.number().int(),
      /**
       * Points this store's refunds could not take back because the member had spent them: the
       * store bears them, so they stay in `pointsCreated`.
       */
      pointsShortfall: z.number().int(),
    }),
  ),
  /** What `from` owes `to` after netting both directions; only pairs with something owed. */
  pairs: z.array(
    z.object({
      from: settlementPartySchema,
      to: settlementPartySchema,
      couponFen: z.number().int(),
      points: z.number().int(),
    }),
  ),
  totals: z.object({ redemptions: z.number().int(), couponFen: z.number().int() }),
})

export type SettlementReport = z.infer<typeof settlementReportSchema>

export const settlementCsvSchema = z.object({ filename: z.string(), csv: z.string() })
