import dayjs from 'dayjs'
import { sha256 } from '@noble/hashes/sha256'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils'
import type {
  CostBearer,
  CouponKind,
  CouponStores,
  CouponTemplatePage,
  CreateCouponTemplateInput,
} from '../../typings/coupons'
import { appendAudit } from './audit'
import { findAfter, parseKeysetCursor, splitPage } from './keyset-pages'
import type { RandomBytes } from './members'
import type { StaffDoc, StoreDoc } from './models'
import type { Database, Doc } from './ports'
import { refuse, succeed, type Result } from './result'
import { BUSINESS_TIME_ZONE, businessDate, formatBusinessTime, toStoredTime } from './time'

/**
 * HQ's coupon templates. A template is never edited once coupons exist: each coupon copies the
 * rules it was issued under, so what a member holds cannot change under them.
 */
export interface CouponTemplateDoc extends Doc {
  title: string
  kind: CouponKind
  valueFen: number | null
  discountPercent: number | null
  maxDiscountFen: number | null
  minSpendFen: number
  validDays: number | null
  /** Shanghai dates, `YYYY-MM-DD`, both days included. */
  validFrom: string | null
  validTo: string | null
  stores: CouponStores
  stock: number | null
  perMemberLimit: number | null
  exchangePoints: number | null
  costBearer: CostBearer
  createdAt: string
  createdBy: string
}

/** How many coupons of a template, or of a template to one member, were issued. */
export interface CouponCounterDoc extends Doc {
  issued: number
}

export const templateCounterId = (templateId: string) => `t.${templateId}`

export const memberCounterId = (templateId: string, memberId: string) =>
  `m.${templateId}.${memberId}`

/**
 * HQ defines a template. With `templateNo` the template's id comes from the key, so a retry (a
 * double tap, a lost answer) finds the template it made and answers its id; the same key with
 * other content is another template under a used key, `DUPLICATE_ORDER`.
 */
export async function createCouponTemplate(
  db: Database,
  actor: StaffDoc,
  input: CreateCouponTemplateInput,
  context: { now: Date; requestId: string; randomBytes: RandomBytes },
): Promise<Result<{ templateId: string }>> {
  const stores = input.stores ?? 'all'
  const templateId = input.templateNo
    ? templateIdForKey(input.templateNo)
    : `T${bytesToHex(context.randomBytes(6))}`
  const content = {
    title: input.title,
    kind: input.kind,
    valueFen: input.valueFen ?? null,
    discountPercent: input.discountPercent ?? null,
    maxDiscountFen: input.maxDiscountFen ?? null,
    minSpendFen: input.minSpendFen ?? 0,
    validDays: input.validDays ?? null,
    validFrom: input.validFrom ?? null,
    validTo: input.validTo ?? null,
    stores,
    stock: input.stock ?? null,
    perMemberLimit: input.perMemberLimit ?? null,
    exchangePoints: input.exchangePoints ?? null,
    costBearer: input.costBearer,
    createdBy: actor.openid,
  }
  // Before the checks of today's date: a retry answers what was made, whatever day it arrives.
  if (input.templateNo) {
    const earlier = await db.get<CouponTemplateDoc>('couponTemplates', templateId)
    if (earlier) return answerRetry(earlier, content)
  }

  // Every coupon of such a template would be born expired, yet take stock and points.
  if (input.validTo && input.validTo < businessDate(context.now)) {
    return refuse('INVALID_INPUT', `结束日期 ${input.validTo} 已经过去`)
  }

  const refused = await checkStoresExist(db, stores)
  if (refused) return refused

  const template: CouponTemplateDoc = {
    _id: templateId,
    ...content,
    createdAt: toStoredTime(context.now),
  }

  return db.transaction(async (tx) => {
    // Two taps at once both pass the read above; the transaction lets one of them insert.
    const earlier = input.templateNo
      ? await tx.get<CouponTemplateDoc>('couponTemplates', templateId)
      : null
    if (earlier) return answerRetry(earlier, content)

    await tx.insert('couponTemplates', template)
    await tx.insert('couponCounters', { _id: templateCounterId(templateId), issued: 0 })
    await appendAudit(
      tx,
      {
        actor: { openid: actor.openid, role: actor.role, storeId: actor.storeId },
        action: 'createCouponTemplate',
        memberId: null,
        fields: [],
        requestId: context.requestId,
        detail: { templateId, templateNo: input.templateNo ?? null },
      },
      context.now,
      context.randomBytes,
    )

    return succeed({ templateId })
  })
}

function templateIdForKey(templateNo: string): string {
  return `T${bytesToHex(sha256(utf8ToBytes(`template|${templateNo}`))).slice(0, 24)}`
}

function answerRetry(
  earlier: CouponTemplateDoc,
  content: Omit<CouponTemplateDoc, '_id' | 'createdAt'>,
): Result<{ templateId: string }> {
  const fields = Object.keys(content) as (keyof typeof content)[]
  const isSame = fields.every(
    (field) => JSON.stringify(earlier[field]) === JSON.stringify(content[field]),
  )

  return isSame
    ? succeed({ templateId: earlier._id })
    : refuse('DUPLICATE_ORDER', '这个模板编号已用于另一个不同的券模板')
}

async function checkStoresExist(db: Database, stores: CouponStores) {
  if (stores === 'all') return null

  if (!Array.isArray(stores)) {
    const region = await db.get('regions', stores.regionId)

    return region ? null : refuse('INVALID_INPUT', `没有这个区域：${stores.regionId}`)
  }

  const found = await db.find<StoreDoc>(
    'stores',
    { _id: { $in: stores } },
    { limit: stores.length },
  )
  const missing = stores.filter((id) => !found.some((store) => store._id === id))

  return missing.length ? refuse('INVALID_INPUT', `没有这些门店：${missing.join(', ')}`) : null
}

const TEMPLATE_PAGE_SIZE = 50

/**
 * The templates with how many were issued, newest first, a page at a time: the console's stock
 * view. `cursor` is the `nextCursor` of the page before.
 */
export async function listCouponTemplates(
  db: Database,
  cursor: string | undefined,
): Promise<CouponTemplatePage> {
  const found = await findAfter<CouponTemplateDoc>(
    db,
    'couponTemplates',
    [{}],
    { field: 'createdAt', direction: 'desc' },
    cursor ? parseKeysetCursor(cursor) : null,
    TEMPLATE_PAGE_SIZE + 1,
  )
  const { page: templates, nextCursor } = splitPage(found, TEMPLATE_PAGE_SIZE, 'createdAt')
  const counters = templates.length
    ? await db.find<CouponCounterDoc>(
        'couponCounters',
        { _id: { $in: templates.map((template) => templateCounterId(template._id)) } },
        { limit: templates.length },
      )
    : []
  const issuedById = new Map(counters.map((counter) => [counter._id, counter.issued]))

  return {
    templates: templates.map(({ _id, createdBy: _createdBy, ...template }) => ({
      ...template,
      templateId: _id,
      issued: issuedById.get(templateCounterId(_id)) ?? 0,
      createdAt: formatBusinessTime(template.createdAt),
    })),
    nextCursor,
  }
}

/**
 * When a coupon issued now is valid: from the start of its first Shanghai day to the start of
 * the day after its last (exclusive), so that it works until 23:59:59.999 of its last day.
 */
export function computeValidity(
  template: Pick<CouponTemplateDoc, 'validDays' | 'validFrom' | 'validTo'>,
  now: Date,
): { validFrom: string; validUntil: string } {
  if (template.validFrom && template.validTo) {
    return {
      validFrom: startOfShanghaiDay(template.validFrom).toISOString(),
      validUntil: startOfShanghaiDay(template.validTo).add(1, 'day').toISOString(),
    }
  }

  const today = dayjs(now).tz(BUSINESS_TIME_ZONE).format('YYYY-MM-DD')

  return {
    validFrom: toStoredTime(now),
    validUntil: startOfShanghaiDay(today)
      .add(template.validDays ?? 1, 'day')
      .toISOString(),
  }
}

/** Whether a coupon issued now would already be past its last valid moment. */
export function hasValidityEnded(
  template: Pick<CouponTemplateDoc, 'validDays' | 'validFrom' | 'validTo'>,
  now: Date,
): boolean {
  return computeValidity(template, now).validUntil <= toStoredTime(now)
}

function startOfShanghaiDay(date: string) {
  return dayjs.tz(date, BUSINESS_TIME_ZONE)
}

/** The last valid moment people are shown: one millisecond before the exclusive end. */
export function formatLastValidMoment(validUntil: string): string {
  return formatBusinessTime(new Date(Date.parse(validUntil) - 1))
}

/** Whether a coupon with these accepted stores works at `store`. */
export function isAcceptedAt(stores: CouponStores, store: StoreDoc): boolean {
  if (stores === 'all') return true
  if (Array.isArray(stores)) return stores.includes(store._id)

  return store.regionId === stores.regionId
}
