import { sha256 } from '@noble/hashes/sha256'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils'
import type {
  CostBearer,
  CouponKind,
  CouponStatus,
  CouponStores,
  ExchangeableCoupons,
  ExchangeResult,
  IssueResult,
  Wallet,
  WalletCoupon,
} from '../../typings/coupons'
import type { ErrorCode } from '../../typings/errors'
import {
  appendAudit,
  memberAuditActor,
  systemAuditActor,
  toAuditActor,
  type AuditContext,
} from './audit'
import { loadStoreRefs } from './chain'
import {
  computeValidity,
  formatLastValidMoment,
  hasValidityEnded,
  isAcceptedAt,
  memberCounterId,
  templateCounterId,
  type CouponCounterDoc,
  type CouponTemplateDoc,
} from './coupon-templates'
import {
  findAfter,
  formatKeysetCursor,
  parseKeysetCursor,
  splitPage,
  type KeysetPosition,
} from './keyset-pages'
import type { RandomBytes } from './members'
import type { MemberDoc, RegionDoc, StaffDoc, StoreDoc } from './models'
import {
  addEntry,
  expireDueLots,
  openLedger,
  takePoints,
  writeLedger,
  type PointEntryDoc,
} from './points-ledger'
import type { Database, Doc, TransactionScope } from './ports'
import { refuse, succeed, type Result } from './result'
import { formatBusinessTime, toStoredTime } from './time'

/**
 * The member's coupons: issuing under stock and per-member limits, and the wallet. Redemption is
 * in coupon-redemption.ts, the monthly settlement in settlement.ts.
 */

export type CouponSource = 'hq' | 'welcome' | 'exchange' | 'campaign' | 'churn' | 'birthday'

export interface CouponRedemption {
  storeId: string
  orderNo: string
  amountFen: number | null
  discountFen: number
  at: string
  clerkOpenid: string
  settlementId: string
}

export interface CouponDoc extends Doc {
  templateId: string
  memberId: string
  title: string
  kind: CouponKind
  valueFen: number | null
  discountPercent: number | null
  maxDiscountFen: number | null
  minSpendFen: number
  stores: CouponStores
  costBearer: CostBearer
  /** The store that bears an `issuer` coupon: the member's home store when it was issued. */
  issuerStoreId: string | null
  source: CouponSource
  validFrom: string
  /** Exclusive: the coupon stops working at this instant (start of the next Shanghai day). */
  validUntil: string
  /** Stored state; a coupon past `validUntil` reads as expired before the timer marks it. */
  status: CouponStatus
  issuedAt: string
  redemption: CouponRedemption | null
  /** `<storeId>.<orderNo>` while redeemed, so a refund finds it by equality. */
  redeemedOrder?: string
}

export interface IssueRequest {
  template: CouponTemplateDoc
  memberId: string
  source: CouponSource
  /** Makes the coupon id: the same key issues once, a retry answers the same coupon. */
  issueKey: string | null
  now: Date
  randomBytes: RandomBytes
  /**
   * Who issues, when the coupon is the whole change: its audit entry joins the transaction. An
   * exchange leaves it out and writes one entry for the points and the coupon together.
   */
  audit?: AuditContext
}

const VALIDITY_ENDED = '这张券的有效期已结束，不能再领取'

/**
 * Issues one coupon inside the caller's transaction. Stock and the per-member limit are counter
 * documents read and written by id here, so two transactions issuing the last one never both
 * commit: the second runs again and sees the stock gone.
 */
export async function issueInTransaction(
  tx: TransactionScope,
  request: IssueRequest,
): Promise<Result<CouponDoc>> {
  const { template, memberId, now } = request
  const couponId = request.issueKey
    ? couponIdForKey(template._id, request.issueKey)
    : `C${bytesToHex(request.randomBytes(12))}`
  const earlier = request.issueKey ? await tx.get<CouponDoc>('coupons', couponId) : null
  if (earlier) return succeed(earlier)

  if (hasValidityEnded(template, now)) return refuse('COUPON_EXPIRED', VALIDITY_ENDED)

  const member = await tx.get<MemberDoc>('members', memberId)
  if (!member || member.deletedAt) return refuse('NOT_FOUND', '没有这位会员')

  const stockId = templateCounterId(template._id)
  const stock = await tx.get<CouponCounterDoc>('couponCounters', stockId)
  const issued = stock?.issued ?? 0
  if (template.stock !== null && issued >= template.stock) return refuse('COUPON_OUT_OF_STOCK')

  const limitId = memberCounterId(template._id, memberId)
  const held = await tx.get<CouponCounterDoc>('couponCounters', limitId)
  const heldCount = held?.issued ?? 0
  if (template.perMemberLimit !== null && heldCount >= template.perMemberLimit) {
    return refuse('COUPON_LIMIT_REACHED')
  }

  const validity = computeValidity(template, now)
  const coupon: CouponDoc = {
    _id: couponId,
    templateId: template._id,
    memberId,
    title: template.title,
    kind: template.kind,
    valueFen: template.valueFen,
    discountPercent: template.discountPercent,
    maxDiscountFen: template.maxDiscountFen,
    minSpendFen: template.minSpendFen,
    stores: template.stores,
    costBearer: template.costBearer,
    issuerStoreId: member.homeStoreId,
    source: request.source,
    ...validity,
    status: 'usable',
    issuedAt: toStoredTime(now),
    redemption: null,
  }
  await tx.insert('coupons', coupon)
  await tx.set('couponCounters', { _id: stockId, issued: issued + 1 })
  await tx.set('couponCounters', { _id: limitId, issued: heldCount + 1 })
  if (request.audit) {
    const record = {
      actor: request.audit.actor,
      action: 'issueCoupon',
      memberId,
      fields: ['coupons'],
      requestId: request.audit.requestId,
      detail: { templateId: template._id, couponId, source: request.source },
    }
    await appendAudit(tx, record, now, request.audit.randomBytes)
  }

  return succeed(coupon)
}

/** A keyed coupon's id: derived, so a retry finds it by id; hashed, so any key fits an id. */
function couponIdForKey(templateId: string, issueKey: string): string {
  return `C${bytesToHex(sha256(utf8ToBytes(`${templateId}|${issueKey}`))).slice(0, 24)}`
}

/**
 * Issues one coupon in a transaction of its own: the entry point for campaigns and the churn and
 * birthday jobs.
 */
export async function issueCoupon(
  db: Database,
  request: Omit<IssueRequest, 'template'> & { templateId: string },
): Promise<Result<CouponDoc>> {
  const template = await db.get<CouponTemplateDoc>('couponTemplates', request.templateId)
  if (!template) return refuse('NOT_FOUND', '没有这个券模板')

  return db.transaction((tx) => issueInTransaction(tx, { ...request, template }))
}

/**
 * HQ issues a template to members, one transaction each so that one member's refusal does not
 * hold back the others. With `issueNo`, a retried batch answers the coupons it already issued.
 */
export async function issueCoupons(
  db: Database,
  actor: StaffDoc,
  input: { templateId: string; memberIds: string[]; issueNo?: string },
  context: { now: Date; requestId: string; randomBytes: RandomBytes },
): Promise<Result<IssueResult>> {
  const template = await db.get<CouponTemplateDoc>('couponTemplates', input.templateId)
  if (!template) return refuse('NOT_FOUND', '没有这个券模板')

  const result: IssueResult = { issued: [], refused: [] }
  const { requestId, randomBytes } = context
  const audit = { actor: toAuditActor(actor), requestId, randomBytes }
  for (const memberId of new Set(input.memberIds)) {
    // A retried batch finds each coupon already issued and writes no second audit entry.
    const issued = await db.transaction((tx) =>
      issueInTransaction(tx, {
        template,
        memberId,
        source: 'hq',
        issueKey: input.issueNo ? `${input.issueNo}.${memberId}` : null,
        now: context.now,
        randomBytes,
        audit,
      }),
    )
    if (issued.ok) result.issued.push({ memberId, couponId: issued.data._id })
    else result.refused.push({ memberId, code: issued.error.code })
  }

  return succeed(result)
}

export interface WelcomeGiftDoc extends Doc {
  templateId: string | null
}

/** The settings entry naming the template every new member receives. */
export const WELCOME_GIFT_SETTING = 'welcomeGift'

/**
 * Gives a newly registered member the welcome gift, after the registration committed. Its
 * failure is recorded in `jobs` and answered, never thrown: registration stands without it.
 */
export async function issueWelcomeGift(
  db: Database,
  memberId: string,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<{ couponId: string | null; refusal: ErrorCode | null }> {
  const setting = await db.get<WelcomeGiftDoc>('settings', WELCOME_GIFT_SETTING)
  if (!setting?.templateId) return { couponId: null, refusal: null }

  let refusal: ErrorCode
  try {
    const issued = await issueCoupon(db, {
      templateId: setting.templateId,
      memberId,
      source: 'welcome',
      issueKey: `welcome.${memberId}`,
      now,
      randomBytes,
      // The system, not the member: HQ's setting picks the gift and the member asked for nothing.
      audit: { actor: systemAuditActor('welcomeGift'), requestId, randomBytes },
    })
    if (issued.ok) return { couponId: issued.data._id, refusal: null }

    refusal = issued.error.code
  } catch {
    refusal = 'INTERNAL'
  }
  // A retry of the same registration may repeat this; the id keeps one record per member.
  await db.set('jobs', {
    _id: `welcomeGift.${memberId}`,
    kind: 'welcomeGiftFailed',
    memberId,
    templateId: setting.templateId,
    code: refusal,
    at: toStoredTime(now),
  })

  return { couponId: null, refusal }
}

/** A member spends points on a coupon: the spend and the coupon commit together or not at all. */
export async function exchangeForCoupon(
  db: Database,
  member: MemberDoc,
  input: { templateId: string; exchangeNo?: string },
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<ExchangeResult>> {
  const template = await db.get<CouponTemplateDoc>('couponTemplates', input.templateId)
  if (!template) return refuse('NOT_FOUND', '没有这个券模板')

  const price = template.exchangePoints
  if (!price) return refuse('COUPON_NOT_EXCHANGEABLE')

  // One key names both the ledger entry and the coupon, so a retry finds both or neither.
  const entryId = `exchange.${member._id}.${input.exchangeNo ?? bytesToHex(randomBytes(8))}`

  return db.transaction(async (tx) => {
    const earlier = await tx.get<PointEntryDoc>('pointEntries', entryId)
    if (earlier) {
      // The coupon was written with the entry: without it, the number was used for another one.
      const couponId = couponIdForKey(template._id, entryId)
      if (!(await tx.get<CouponDoc>('coupons', couponId))) {
        return refuse('DUPLICATE_ORDER', '这个兑换编号已用于兑换另一张券')
      }

      return succeed({ couponId, balance: earlier.balanceAfter })
    }

    const current = await tx.get<MemberDoc>('members', member._id)
    if (!current || current.deletedAt) return refuse('NOT_REGISTERED')

    // Every refusal comes before the first write: a refusal still commits what was written.
    // An ended validity is told before the balance: no number of points would get this coupon.
    if (hasValidityEnded(template, now)) return refuse('COUPON_EXPIRED', VALIDITY_ENDED)

    const ledger = openLedger(current, now)
    expireDueLots(ledger)
    if (ledger.balance < price) {
      return refuse(
        'INSUFFICIENT_POINTS',
        `积分不足：兑换需要 ${price} 分，可用 ${ledger.balance} 分`,
      )
    }

    const issued = await issueInTransaction(tx, {
      template,
      memberId: member._id,
      source: 'exchange',
      issueKey: entryId,
      now,
      randomBytes,
    })
    if (!issued.ok) return issued

    const taken = takePoints(ledger, price)
    addEntry(ledger, {
      _id: entryId,
      kind: 'spend',
      delta: -price,
      storeId: null,
      orderNo: null,
      lots: taken,
      reason: `兑换优惠券：${template.title}`,
    })
    await writeLedger(tx, ledger)
    const record = {
      actor: memberAuditActor(member._id),
      action: 'exchange',
      memberId: member._id,
      fields: ['points', 'coupons'],
      requestId,
      detail: { templateId: template._id, couponId: issued.data._id, entryId, points: price },
    }
    await appendAudit(tx, record, now, randomBytes)

    return succeed({ couponId: issued.data._id, balance: ledger.balance })
  })
}

/** What a coupon is now: a stored `usable` past its last valid moment reads as expired. */
export function currentStatus(coupon: CouponDoc, now: Date): CouponStatus {
  if (coupon.status !== 'usable') return coupon.status

  return toStoredTime(now) < coupon.validUntil ? 'usable' : 'expired'
}

export function isUsableNow(coupon: CouponDoc, now: Date): boolean {
  const at = toStoredTime(now)

  return coupon.status === 'usable' && coupon.validFrom <= at && at < coupon.validUntil
}

const WALLET_PAGE_SIZE = 20
/** Coupons read per query where every one must be seen: the card's count, the scan summary. */
const USABLE_CHUNK_SIZE = 100

const byIssuedAt = { field: 'issuedAt', direction: 'desc' } as const

/**
 * The stored states that read as `status` now, one filter each (their union is the status).
 * A stored `usable` past its validity is expired before the timer marks it, so the status is a
 * range on `validUntil` as well, and paging by the stored state alone would miss or repeat it.
 */
function filtersForStatus(memberId: string, status: CouponStatus | undefined, now: Date) {
  const at = toStoredTime(now)
  switch (status) {
    case undefined:
      return [{ memberId }]
    case 'usable':
      return [{ memberId, status: 'usable', validUntil: { $gt: at } }]
    case 'used':
      return [{ memberId, status: 'used' }]
    case 'expired':
      return [
        { memberId, status: 'expired' },
        { memberId, status: 'usable', validUntil: { $lte: at } },
      ]
  }
}

/**
 * The wallet, newest first, a page at a time: each coupon with where it works and until when,
 * filtered by its status now. `cursor` is the `nextCursor` of the page before.
 */
export async function listWallet(
  db: Database,
  memberId: string,
  query: { status?: CouponStatus; cursor?: string },
  now: Date,
): Promise<Wallet> {
  const found = await findAfter<CouponDoc>(
    db,
    'coupons',
    filtersForStatus(memberId, query.status, now),
    byIssuedAt,
    query.cursor ? parseKeysetCursor(query.cursor) : null,
    WALLET_PAGE_SIZE + 1,
  )
  const { page, nextCursor } = splitPage(found, WALLET_PAGE_SIZE, byIssuedAt.field)

  return { coupons: await toWalletCoupons(db, page, now), nextCursor }
}

/** One of the member's coupons, for its own page: another member's is not found. */
export async function findWalletCoupon(
  db: Database,
  memberId: string,
  couponId: string,
  now: Date,
): Promise<Result<{ coupon: WalletCoupon }>> {
  const coupon = await db.get<CouponDoc>('coupons', couponId)
  if (!coupon || coupon.memberId !== memberId) return refuse('COUPON_NOT_FOUND')

  const [shown] = await toWalletCoupons(db, [coupon], now)

  return succeed({ coupon: shown })
}

async function toWalletCoupons(
  db: Database,
  coupons: CouponDoc[],
  now: Date,
): Promise<WalletCoupon[]> {
  const redeemedIds = coupons.flatMap((coupon) =>
    coupon.redemption ? [coupon.redemption.storeId] : [],
  )
  const { stores, regionNames } = await loadPlaceNames(
    db,
    coupons.map((coupon) => coupon.stores),
    redeemedIds,
  )

  return coupons.map((coupon): WalletCoupon => {
    const redemption = coupon.redemption

    return {
      couponId: coupon._id,
      templateId: coupon.templateId,
      title: coupon.title,
      kind: coupon.kind,
      valueFen: coupon.valueFen,
      discountPercent: coupon.discountPercent,
      maxDiscountFen: coupon.maxDiscountFen,
      minSpendFen: coupon.minSpendFen,
      status: currentStatus(coupon, now),
      validFrom: formatBusinessTime(coupon.validFrom),
      validUntil: formatLastValidMoment(coupon.validUntil),
      places: describePlaces(coupon.stores, stores, regionNames),
      redeemed: redemption
        ? {
            at: formatBusinessTime(redemption.at),
            store: stores.get(redemption.storeId) ?? null,
            discountFen: redemption.discountFen,
          }
        : null,
    }
  })
}

/** The stores and regions named by where these coupons work, plus `moreStoreIds`. */
async function loadPlaceNames(db: Database, accepted: CouponStores[], moreStoreIds: string[] = []) {
  const listedIds = accepted.flatMap((stores) => (Array.isArray(stores) ? stores : []))
  const stores = await loadStoreRefs(db, [...listedIds, ...moreStoreIds])
  const regionIds = accepted.flatMap((stores) =>
    stores !== 'all' && !Array.isArray(stores) ? [stores.regionId] : [],
  )
  const regions = regionIds.length
    ? await db.find<RegionDoc>('regions', { _id: { $in: [...new Set(regionIds)] } })
    : []

  return { stores, regionNames: new Map(regions.map((region) => [region._id, region.name])) }
}

function describePlaces(
  accepted: CouponStores,
  stores: Awaited<ReturnType<typeof loadStoreRefs>>,
  regionNames: Map<string, string>,
): WalletCoupon['places'] {
  if (accepted === 'all') return { scope: 'all', description: '全部门店可用', stores: [] }

  if (!Array.isArray(accepted)) {
    const name = regionNames.get(accepted.regionId) ?? accepted.regionId

    return { scope: 'region', description: `${name}区域门店可用`, stores: [] }
  }

  const listed = accepted.flatMap((id) => {
    const store = stores.get(id)

    return store ? [store] : []
  })

  return { scope: 'list', description: `指定 ${listed.length} 家门店可用`, stores: listed }
}

const OFFER_PAGE_SIZE = 20
const OFFER_CHUNK_SIZE = 50
/**
 * Reads of templates per page of offers. Templates sold out, ended or at the member's limit stay
 * priced forever, so a page that finds few takeable ones stops after this many reads and names
 * where it stopped, keeping each call's work bounded however many dead templates HQ keeps.
 */
const OFFER_READS_PER_PAGE = 4

const byPrice = { field: 'exchangePoints', direction: 'asc' } as const

/**
 * What the member can take for points now, cheapest first, a page at a time: templates with a
 * points price whose coupon would not be born expired, with stock left and under the member's
 * own limit. The balance is what an exchange could spend now, lots past their expiry left out.
 * `cursor` is the `nextCursor` of the page before: the last template read, offered or not.
 */
export async function listExchangeable(
  db: Database,
  member: MemberDoc,
  cursor: string | undefined,
  now: Date,
): Promise<ExchangeableCoupons> {
  const takeable: CouponTemplateDoc[] = []
  let after = cursor ? parseKeysetCursor(cursor, true) : null
  let hasMore = true
  for (let read = 0; read < OFFER_READS_PER_PAGE && hasMore; read += 1) {
    const chunk = await findAfter<CouponTemplateDoc>(
      db,
      'couponTemplates',
      [{ exchangePoints: { $gt: 0 } }],
      byPrice,
      after,
      OFFER_CHUNK_SIZE,
    )
    const canTake = await findTakeable(db, chunk, member._id, now)
    // The page ends at the template that filled it: the rest of the chunk is the next page's.
    let examined = 0
    for (const template of chunk) {
      if (takeable.length === OFFER_PAGE_SIZE) break

      examined += 1
      after = { value: template.exchangePoints ?? 0, id: template._id }
      if (canTake.has(template._id)) takeable.push(template)
    }
    hasMore = examined < chunk.length || chunk.length === OFFER_CHUNK_SIZE
    if (takeable.length === OFFER_PAGE_SIZE) break
  }

  const { stores, regionNames } = await loadPlaceNames(
    db,
    takeable.map((template) => template.stores),
  )
  const ledger = openLedger(member, now)
  expireDueLots(ledger)

  return {
    balance: ledger.balance,
    templates: takeable.map((template) => {
      const validity = computeValidity(template, now)

      return {
        templateId: template._id,
        title: template.title,
        kind: template.kind,
        valueFen: template.valueFen,
        discountPercent: template.discountPercent,
        maxDiscountFen: template.maxDiscountFen,
        minSpendFen: template.minSpendFen,
        exchangePoints: template.exchangePoints ?? 0,
        validDays: template.validDays,
        validFrom: formatBusinessTime(validity.validFrom),
        validUntil: formatLastValidMoment(validity.validUntil),
        places: describePlaces(template.stores, stores, regionNames),
      }
    }),
    nextCursor: hasMore && after ? formatKeysetCursor(after.value, after.id) : null,
  }
}

/**
 * The ids of these templates a member could take now: not past their dates, with stock left
 * and under the member's own limit, read from the counters the issue itself checks.
 */
async function findTakeable(
  db: Database,
  templates: CouponTemplateDoc[],
  memberId: string,
  now: Date,
): Promise<Set<string>> {
  const open = templates.filter((template) => !hasValidityEnded(template, now))
  const counterIds = open.flatMap((template) => [
    templateCounterId(template._id),
    memberCounterId(template._id, memberId),
  ])
  const counters = counterIds.length
    ? await db.find<CouponCounterDoc>(
        'couponCounters',
        { _id: { $in: counterIds } },
        { limit: counterIds.length },
      )
    : []
  const issuedById = new Map(counters.map((counter) => [counter._id, counter.issued]))
  const takeable = open.filter((template) => {
    const issued = issuedById.get(templateCounterId(template._id)) ?? 0
    const held = issuedById.get(memberCounterId(template._id, memberId)) ?? 0

    return (
      (template.stock === null || issued < template.stock) &&
      (template.perMemberLimit === null || held < template.perMemberLimit)
    )
  })

  return new Set(takeable.map((template) => template._id))
}

/** Coupons the member can use right now, for the card's count: counted, so none is left out. */
export async function countUsableCoupons(db: Database, memberId: string, now: Date) {
  const at = toStoredTime(now)

  return db.count('coupons', {
    memberId,
    status: 'usable',
    validFrom: { $lte: at },
    validUntil: { $gt: at },
  })
}

/**
 * Coupons the member can use at this store right now, newest first: the counter's scan summary.
 * Every usable coupon is read, a chunk at a time, since where one works is not a query.
 */
export async function listUsableAtStore(
  db: Database,
  memberId: string,
  storeId: string,
  now: Date,
) {
  const store = await db.get<StoreDoc>('stores', storeId)
  if (!store) return []

  const usable: CouponDoc[] = []
  const filters = filtersForStatus(memberId, 'usable', now)
  let after: KeysetPosition | null = null
  for (;;) {
    const chunk: CouponDoc[] = await findAfter<CouponDoc>(
      db,
      'coupons',
      filters,
      byIssuedAt,
      after,
      USABLE_CHUNK_SIZE,
    )
    usable.push(
      ...chunk.filter((coupon) => isUsableNow(coupon, now) && isAcceptedAt(coupon.stores, store)),
    )
    const last = chunk.at(-1)
    if (chunk.length < USABLE_CHUNK_SIZE || !last) break

    after = { value: last.issuedAt, id: last._id }
  }

  return usable.map((coupon) => ({
    couponId: coupon._id,
    title: coupon.title,
    kind: coupon.kind,
    minSpendFen: coupon.minSpendFen,
    validUntil: formatLastValidMoment(coupon.validUntil),
  }))
}
