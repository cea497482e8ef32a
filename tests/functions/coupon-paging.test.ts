import { randomBytes } from 'node:crypto'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { createCouponTemplate } from '../../cloudfunctions/domain/coupon-templates'
import { issueCoupon, type CouponDoc } from '../../cloudfunctions/domain/coupons'
import { registerMember } from '../../cloudfunctions/domain/members'
import type { StaffDoc } from '../../cloudfunctions/domain/models'
import {
  loadSigningKey,
  signVisitToken,
  VISIT_TOKEN_TTL_MS,
} from '../../cloudfunctions/domain/visit-tokens'
import { clerkA, startTestCloud, type TestCloud } from '../support/test-cloud'

// 12:00 in Shanghai on 15 January 2026.
const T0 = '2026-01-15T04:00:00.000Z'
const HQ = 'o-hq-admin'
const hqStaff: StaffDoc = {
  _id: HQ,
  openid: HQ,
  name: HQ,
  role: 'hq_admin',
  storeId: null,
  regionId: null,
  isActive: true,
}
let env: TestCloud
let clockMs = Date.parse(T0)
let memberCount = 0

const bytes = (length: number) => new Uint8Array(randomBytes(length))
const codeOf = (answer: any) => (answer.ok ? 'OK' : answer.error.code)

beforeAll(async () => {
  env = await startTestCloud()
  await setClock(T0)
  await upsertStaff(env.db, hqStaff)
})

afterAll(async () => {
  await env.close()
})

/** The clock stands still, so that whole batches share one instant, as a batch issue does. */
async function setClock(iso: string) {
  clockMs = Date.parse(iso)
  await env.dev('clock', { now: iso, freeze: true })
}

const now = () => new Date(clockMs)

async function newMember(): Promise<{ openid: string; memberId: string }> {
  memberCount += 1
  const openid = `o-paging-${memberCount}`
  const registered = await registerMember(
    env.db,
    {
      openid,
      unionid: null,
      phone: `+86139200${String(memberCount).padStart(5, '0')}`,
      storeId: 'sA',
      name: null,
      birthday: null,
      consentVersion: '2026-11',
    },
    now(),
    bytes,
  )
  if (!registered.ok) throw new Error(registered.error.message)

  return { openid, memberId: registered.data.memberId }
}

/** A template made by the domain directly: the HQ action itself is tested in coupons.test.ts. */
async function makeTemplate(fields: Record<string, unknown> = {}): Promise<string> {
  const created = await createCouponTemplate(
    env.db,
    hqStaff,
    { title: '减 10 元', kind: 'cash', valueFen: 1_000, validDays: 7, costBearer: 'hq', ...fields },
    { now: now(), requestId: '', randomBytes: bytes },
  )
  if (!created.ok) throw new Error(created.error.message)

  return created.data.templateId
}

async function giveCoupons(templateId: string, memberId: string, count: number) {
  const ids: string[] = []
  for (let i = 0; i < count; i += 1) {
    const issued = await issueCoupon(env.db, {
      templateId,
      memberId,
      source: 'hq',
      issueKey: null,
      now: now(),
      randomBytes: bytes,
    })
    if (!issued.ok) throw new Error(issued.error.message)
    ids.push(issued.data._id)
  }

  return ids
}

/** Every page from the first, following nextCursor: the items of each page, in order. */
async function walkPages(
  call: (cursor?: string) => Promise<any>,
  items: (data: any) => any[],
): Promise<any[][]> {
  const pages: any[][] = []
  let cursor: string | undefined
  do {
    const answer = await call(cursor)
    if (!answer.ok) throw new Error(JSON.stringify(answer.error))
    pages.push(items(answer.data))
    cursor = answer.data.nextCursor ?? undefined
  } while (cursor && pages.length < 100)

  return pages
}

async function walkWallet(openid: string, status?: string) {
  return walkPages(
    (cursor) =>
      env.call('member', { action: 'coupons', ...(status ? { status } : {}), cursor }, openid),
    (data) => data.coupons,
  )
}

async function visitToken(memberId: string): Promise<string> {
  const keyHex = await loadSigningKey(env.db, bytes)

  return signVisitToken(keyHex, {
    memberId,
    storeId: 'sA',
    clerkOpenid: clerkA.openid,
    expiresAtMs: clockMs + VISIT_TOKEN_TTL_MS,
  })
}

async function redeem(memberId: string, couponId: string, orderNo: string, amountFen?: number) {
  const event = {
    action: 'redeemCoupon',
    visitToken: await visitToken(memberId),
    couponId,
    orderNo,
    ...(amountFen === undefined ? {} : { amountFen }),
  }
  const answer = await env.call('staff', event, clerkA.openid)
  if (!answer.ok) throw new Error(JSON.stringify(answer.error))

  return answer
}

const refund = (orderNo: string, amountFen: number, refundNo?: string) =>
  env.call(
    'staff',
    { action: 'refund', orderNo, amountFen, ...(refundNo ? { refundNo } : {}) },
    clerkA.openid,
  )

/** The snapshot, and the refunds of coupon-only orders, which the snapshot does not track. */
async function everything() {
  const refunds = await env.db.find(
    'couponOrderRefunds',
    {},
    { orderBy: [['_id', 'asc']], limit: 1000 },
  )

  return env.snapshot() + JSON.stringify(refunds)
}

async function couponStatus(couponId: string) {
  return (await env.db.get<CouponDoc>('coupons', couponId))!.status
}

describe('HQ pages through the coupon templates', () => {
  it('lists every template exactly once, newest first, 50 a page, however many share an instant', async () => {
    const older: string[] = []
    for (let i = 0; i < 70; i += 1) older.push(await makeTemplate({ title: `旧券 ${i}` }))
    await setClock('2026-01-15T04:01:00.000Z')
    const newer: string[] = []
    for (let i = 0; i < 40; i += 1) newer.push(await makeTemplate({ title: `新券 ${i}` }))

    const first = await env.call('hq', { action: 'couponTemplates' }, HQ)
    // A template created between two pages is newer than any page: it shows on a fresh first page.
    await setClock('2026-01-15T04:02:00.000Z')
    const created = await makeTemplate({ title: '翻页时新建' })
    const rest = await walkPages(
      (cursor) =>
        env.call('hq', { action: 'couponTemplates', cursor: cursor ?? first.data.nextCursor }, HQ),
      (data) => data.templates,
    )
    const pages = [first.data.templates, ...rest]
    const listed = pages.flat()
    const ids = listed.map((template: any) => template.templateId)
    await setClock(T0)

    expect(pages.map((page) => page.length)).toEqual([50, 50, 10])
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual([...older, ...newer].sort())
    expect(ids.slice(0, 40).sort()).toEqual([...newer].sort())
    expect(ids).not.toContain(created)
    expect(listed[0]).toMatchObject({ title: expect.stringMatching(/^新券/), issued: 0 })
    expect(rest.at(-1)).toHaveLength(10)
  })
})

describe('the member pages through the wallet', () => {
  it('gives every coupon of each status exactly once across pages, as it is now', async () => {
    const { openid, memberId } = await newMember()
    const shortLived = await giveCoupons(await makeTemplate({ validDays: 1 }), memberId, 24)
    await setClock('2026-01-15T05:00:00.000Z')
    const longLived = await giveCoupons(await makeTemplate({ validDays: 30 }), memberId, 26)
    const used = longLived.slice(0, 5)
    for (const [i, couponId] of used.entries()) await redeem(memberId, couponId, `WP-${i}`, 6_000)
    // Two days on: the short coupons are past their validity. The timer has marked only some.
    await setClock('2026-01-17T04:00:00.000Z')
    for (const couponId of shortLived.slice(0, 9)) {
      await env.db.update('coupons', couponId, { set: { status: 'expired' } })
    }

    const usablePages = await walkWallet(openid, 'usable')
    const usedPages = await walkWallet(openid, 'used')
    const expiredPages = await walkWallet(openid, 'expired')
    const allPages = await walkWallet(openid)
    const card = await env.call('member', { action: 'card' }, openid)
    await setClock(T0)

    const idsOf = (pages: any[][]) => pages.flat().map((coupon) => coupon.couponId)
    expect(usablePages.map((page) => page.length)).toEqual([20, 1])
    expect(idsOf(usablePages).sort()).toEqual(longLived.slice(5).sort())
    expect(usablePages.flat().every((coupon) => coupon.status === 'usable')).toBe(true)
    expect(idsOf(usedPages).sort()).toEqual([...used].sort())
    expect(expiredPages.map((page) => page.length)).toEqual([20, 4])
    expect(idsOf(expiredPages).sort()).toEqual([...shortLived].sort())
    expect(expiredPages.flat().every((coupon) => coupon.status === 'expired')).toBe(true)
    expect(allPages.map((page) => page.length)).toEqual([20, 20, 10])
    expect(new Set(idsOf(allPages)).size).toBe(50)
    // Newest first: the later batch before the earlier one.
    expect(idsOf(allPages).slice(0, 26).sort()).toEqual([...longLived].sort())
    expect(card.data.couponCount).toBe(21)
  })

  it('counts on the card and lists at the counter every usable coupon, beyond any page', async () => {
    const { openid, memberId } = await newMember()
    const everywhere = await giveCoupons(await makeTemplate({ title: '通用券' }), memberId, 230)
    await giveCoupons(await makeTemplate({ title: '他店券', stores: ['sB'] }), memberId, 3)
    const { code } = await env.dev<{ code: string }>('member-code', { memberId })

    const card = await env.call('member', { action: 'card' }, openid)
    const scan = await env.call('staff', { action: 'scan', code }, clerkA.openid)
    const shown = scan.data.member.usableCoupons.map((coupon: any) => coupon.couponId)

    expect(card.data.couponCount).toBe(233)
    expect(shown).toHaveLength(230)
    expect([...shown].sort()).toEqual([...everywhere].sort())
  })

  it('answers one coupon on its own page, and not another member’s', async () => {
    const { openid, memberId } = await newMember()
    const templateId = await makeTemplate({ title: '单张' })
    const [couponId] = await giveCoupons(templateId, memberId, 1)
    const other = await newMember()

    const own = await env.call('member', { action: 'coupon', couponId }, openid)
    const foreign = await env.call('member', { action: 'coupon', couponId }, other.openid)

    expect(own.data.coupon).toMatchObject({ couponId, title: '单张', status: 'usable' })
    expect(codeOf(foreign)).toBe('COUPON_NOT_FOUND')
  })
})

describe('the member pages through what points can buy', () => {
  it('offers every takeable template exactly once, cheapest first, past any number of dead ones', async () => {
    const { openid, memberId } = await newMember()
    const someoneElse = await newMember()
    // Ended by tomorrow, and cheaper than all the rest: they come first in the price order.
    for (let i = 0; i < 230; i += 1) {
      await makeTemplate({
        exchangePoints: 1 + (i % 5),
        validDays: undefined,
        validFrom: '2026-01-10',
        validTo: '2026-01-15',
      })
    }
    const takeable: Array<{ id: string; price: number }> = []
    for (let i = 0; i < 45; i += 1) {
      const price = 10 + (i % 7) * 10
      takeable.push({ id: await makeTemplate({ exchangePoints: price }), price })
      // Between them, templates sold out and at this member's limit, at the same prices.
      const soldOut = await makeTemplate({ exchangePoints: price, stock: 1 })
      await giveCoupons(soldOut, someoneElse.memberId, 1)
      const atLimit = await makeTemplate({ exchangePoints: price, perMemberLimit: 1 })
      await giveCoupons(atLimit, memberId, 1)
    }
    await makeTemplate({ title: '不可兑换' })
    await setClock('2026-01-16T04:00:00.000Z')

    const pages = await walkPages(
      (cursor) => env.call('member', { action: 'exchangeable', cursor }, openid),
      (data) => data.templates,
    )
    await setClock(T0)

    const offered = pages.flat()
    const prices = offered.map((template) => template.exchangePoints)
    expect(offered.map((template) => template.templateId).sort()).toEqual(
      takeable.map((template) => template.id).sort(),
    )
    expect(prices).toEqual([...prices].sort((a, b) => a - b))
    expect(pages.every((page) => page.length <= 20)).toBe(true)
    // The first page stops after reading its share of the ended ones and finds none to offer.
    expect(pages[0]).toEqual([])
  })
})

describe('refunds of an order that used a coupon and recorded no purchase', () => {
  it('returns the coupon once the refunds reach the order amount, each refund counted once', async () => {
    const { memberId } = await newMember()
    const [couponId] = await giveCoupons(await makeTemplate(), memberId, 1)
    await redeem(memberId, couponId, 'CO-1', 6_000)

    const part = await refund('CO-1', 2_000, 'CO-1-R1')
    const partRetried = await refund('CO-1', 2_000, 'CO-1-R1')
    const statusAfterPart = await couponStatus(couponId)
    const rest = await refund('CO-1', 4_000, 'CO-1-R2')
    const restRetried = await refund('CO-1', 4_000, 'CO-1-R2')
    const before = await everything()
    const beyond = await refund('CO-1', 100, 'CO-1-R3')
    const otherAmount = await refund('CO-1', 3_000, 'CO-1-R1')
    const isUnchanged = (await everything()) === before

    expect(part.data).toMatchObject({
      refundedFen: 2_000,
      pointsReversed: 0,
      couponsReinstated: [],
    })
    expect(partRetried).toEqual(part)
    expect(statusAfterPart).toBe('used')
    expect(rest.data).toMatchObject({ refundedFen: 6_000, couponsReinstated: [couponId] })
    expect(restRetried).toEqual(rest)
    expect(await couponStatus(couponId)).toBe('usable')
    expect(codeOf(beyond)).toBe('INVALID_INPUT')
    expect(codeOf(otherAmount)).toBe('DUPLICATE_ORDER')
    expect(isUnchanged).toBe(true)
  })

  it('refuses a refund beyond the order amount and keeps the coupon spent', async () => {
    const { memberId } = await newMember()
    const [couponId] = await giveCoupons(await makeTemplate(), memberId, 1)
    await redeem(memberId, couponId, 'CO-2', 6_000)
    const before = await everything()

    const answer = await refund('CO-2', 6_001, 'CO-2-R1')

    expect(codeOf(answer)).toBe('INVALID_INPUT')
    expect(answer.error.message).toContain('超过')
    expect(await everything()).toBe(before)
    expect(await couponStatus(couponId)).toBe('used')
  })

  it('takes a refund without 退款单号 as the first, its retry as the same, another as a question', async () => {
    const { memberId } = await newMember()
    const [couponId] = await giveCoupons(await makeTemplate(), memberId, 1)
    await redeem(memberId, couponId, 'CO-3', 6_000)

    const first = await refund('CO-3', 1_500)
    const retried = await refund('CO-3', 1_500)
    const another = await refund('CO-3', 4_500)
    const numbered = await refund('CO-3', 4_500, 'CO-3-R2')

    expect(first.data).toMatchObject({ refundedFen: 1_500, couponsReinstated: [] })
    expect(retried).toEqual(first)
    expect(codeOf(another)).toBe('DUPLICATE_ORDER')
    expect(another.error.message).toContain('退款单号')
    expect(numbered.data).toMatchObject({ refundedFen: 6_000, couponsReinstated: [couponId] })
  })

  it('counts refunds racing on one order once each and reinstates the coupon once', async () => {
    const { memberId } = await newMember()
    const [couponId] = await giveCoupons(await makeTemplate(), memberId, 1)
    await redeem(memberId, couponId, 'CO-4', 6_000)

    const answers = await Promise.all([
      refund('CO-4', 3_000, 'CO-4-R1'),
      refund('CO-4', 3_000, 'CO-4-R2'),
      refund('CO-4', 3_000, 'CO-4-R1'),
      refund('CO-4', 3_000, 'CO-4-R2'),
    ])
    const order = await env.db.get<any>('couponOrderRefunds', 'order.sA.CO-4')
    const reinstatements = await env.db.find('settlements', { _id: 'reinstate.sA.CO-4' })

    expect(answers.map(codeOf)).toEqual(['OK', 'OK', 'OK', 'OK'])
    expect(answers[2]).toEqual(answers[0])
    expect(answers[3]).toEqual(answers[1])
    expect(order.refundedFen).toBe(6_000)
    expect(reinstatements).toHaveLength(1)
    expect(await couponStatus(couponId)).toBe('usable')
  })

  it('takes the first refund of an order redeemed without an amount as whole, and no second', async () => {
    const { memberId } = await newMember()
    const [couponId] = await giveCoupons(
      await makeTemplate({ title: '赠品券', kind: 'gift' }),
      memberId,
      1,
    )
    await redeem(memberId, couponId, 'CO-5')

    const first = await refund('CO-5', 800, 'CO-5-R1')
    const retried = await refund('CO-5', 800, 'CO-5-R1')
    const before = await everything()
    const second = await refund('CO-5', 800, 'CO-5-R2')

    expect(first.data).toMatchObject({ refundedFen: 800, couponsReinstated: [couponId] })
    expect(retried).toEqual(first)
    expect(codeOf(second)).toBe('INVALID_INPUT')
    expect(second.error.message).toContain('全额退款')
    expect(await everything()).toBe(before)
    expect(await couponStatus(couponId)).toBe('usable')
  })

  it('audits each refund of the order in its transaction, as the clerk', async () => {
    const { memberId } = await newMember()
    const [couponId] = await giveCoupons(await makeTemplate(), memberId, 1)
    await redeem(memberId, couponId, 'CO-6', 6_000)

    await refund('CO-6', 6_000, 'CO-6-R1')
    await refund('CO-6', 6_000, 'CO-6-R1')
    const entries = await env.db.find<any>('auditLog', { memberId }, { limit: 100 })
    const actions = entries
      .map((entry) => entry.action)
      .filter((action) => ['redeemCoupon', 'refund', 'reinstateCoupon'].includes(action))

    expect(actions.sort()).toEqual(['redeemCoupon', 'refund', 'reinstateCoupon'])
    expect(entries.find((entry) => entry.action === 'refund')).toMatchObject({
      actorOpenid: clerkA.openid,
      detail: { refundId: 'refund.sA.CO-6.CO-6-R1', orderRefundedFen: 6_000 },
    })
  })

  it('still answers not found for an order with neither purchase nor coupon', async () => {
    const answer = await refund('CO-NONE', 1_000, 'CO-NONE-R1')

    expect(codeOf(answer)).toBe('NOT_FOUND')
  })
})

describe('bad cursors write nothing', () => {
  it.each([
    ['templates: not a cursor', 'hq', { action: 'couponTemplates', cursor: 'page-2' }],
    [
      'templates: a month that does not exist',
      'hq',
      { action: 'couponTemplates', cursor: '2026-13-45T00:00:00.000Z~T1' },
    ],
    ['templates: an empty cursor', 'hq', { action: 'couponTemplates', cursor: '' }],
    ['wallet: an id with a dot', 'member', { action: 'coupons', cursor: `${T0}~C.1` }],
    ['wallet: a time without zone', 'member', { action: 'coupons', cursor: '2026-01-15T04:00~C1' }],
    ['wallet: a number', 'member', { action: 'coupons', status: 'used', cursor: 20 }],
    ['offers: a price of zero', 'member', { action: 'exchangeable', cursor: '0~T1' }],
    ['offers: a negative price', 'member', { action: 'exchangeable', cursor: '-5~T1' }],
    ['offers: a fractional price', 'member', { action: 'exchangeable', cursor: '1.5~T1' }],
    ['offers: a time cursor', 'member', { action: 'exchangeable', cursor: `${T0}~T1` }],
    ['one coupon: without its id', 'member', { action: 'coupon' }],
  ])('refuses %s as invalid input', async (_case, name, event) => {
    const { openid } = await newMember()
    const before = env.snapshot()

    const answer = await env.call(name, event, name === 'hq' ? HQ : openid)

    expect(codeOf(answer)).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })
})
