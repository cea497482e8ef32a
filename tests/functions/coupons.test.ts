import { randomBytes } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import { runCouponExpiry } from '../../cloudfunctions/domain/coupon-expiry'
import type { CouponCounterDoc } from '../../cloudfunctions/domain/coupon-templates'
import type { CouponDoc } from '../../cloudfunctions/domain/coupons'
import { registerMember } from '../../cloudfunctions/domain/members'
import type { MemberDoc, StaffDoc } from '../../cloudfunctions/domain/models'
import type { Database } from '../../cloudfunctions/domain/ports'
import { createCloudbaseDatabase } from '../../cloudfunctions/platform/cloudbase-database'
import {
  loadSigningKey,
  signVisitToken,
  VISIT_TOKEN_TTL_MS,
} from '../../cloudfunctions/domain/visit-tokens'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

const STORE_COUNT = 64
// 12:00 in Shanghai on 15 January 2026.
const T0 = '2026-01-15T04:00:00.000Z'
const HQ = 'o-hq-admin'
let env: TestCloud
let clockMs = Date.parse(T0)
let memberCount = 0

const storeIds = Array.from({ length: STORE_COUNT }, (_, i) => `c${String(i + 1).padStart(2, '0')}`)
const clerkOf = (storeId: string) => `o-clerk-${storeId}`
const bytes = (length: number) => new Uint8Array(randomBytes(length))

function staff(openid: string, role: StaffDoc['role'], storeId: string | null): StaffDoc {
  return { _id: openid, openid, name: openid, role, storeId, regionId: 'east', isActive: true }
}

beforeAll(async () => {
  env = await startTestCloud()
  await setClock(T0)
  await env.db.set('regions', { _id: 'west', name: '华西' })
  for (const [i, storeId] of storeIds.entries()) {
    await upsertStore(env.db, {
      _id: storeId,
      name: `鲜邻超市·${storeId}店`,
      // The last store is in another region, for coupons limited to a region.
      regionId: i === STORE_COUNT - 1 ? 'west' : 'east',
      city: '上海市',
      cityCode: '3101',
      district: '徐汇区',
      districtCode: '310104',
      isActive: true,
    })
    await upsertStaff(env.db, staff(clerkOf(storeId), 'clerk', storeId))
  }
  await upsertStaff(env.db, staff('o-manager-c01', 'store_manager', 'c01'))
  await upsertStaff(env.db, staff(HQ, 'hq_admin', null))
  await upsertStaff(env.db, staff('o-hq-analyst', 'hq_analyst', null))
})

afterAll(async () => {
  await env.close()
})

async function setClock(iso: string) {
  clockMs = Date.parse(iso)
  await env.dev('clock', { now: iso })
}

/** A member made directly in the store: registration itself is tested elsewhere. */
async function newMember(homeStoreId = 'c01'): Promise<{ openid: string; memberId: string }> {
  memberCount += 1
  const openid = `o-coupon-${memberCount}`
  const registered = await registerMember(
    env.db,
    {
      openid,
      unionid: null,
      phone: `+86139100${String(memberCount).padStart(5, '0')}`,
      storeId: homeStoreId,
      name: null,
      birthday: null,
      consentVersion: '2026-11',
    },
    new Date(clockMs),
    bytes,
  )
  if (!registered.ok) throw new Error(registered.error.message)

  return { openid, memberId: registered.data.memberId }
}

async function createTemplate(fields: Record<string, unknown>): Promise<string> {
  const created = await env.call(
    'hq',
    {
      action: 'createCouponTemplate',
      title: '满 50 减 10',
      kind: 'cash',
      valueFen: 1_000,
      validDays: 7,
      costBearer: 'hq',
      ...fields,
    },
    HQ,
  )
  if (!created.ok) throw new Error(JSON.stringify(created.error))

  return created.data.templateId
}

async function issueOne(templateId: string, memberId: string): Promise<string> {
  const issued = await env.call(
    'hq',
    { action: 'issueCoupons', templateId, memberIds: [memberId] },
    HQ,
  )

  return issued.data.issued[0].couponId
}

async function visitToken(memberId: string, storeId: string): Promise<string> {
  const keyHex = await loadSigningKey(env.db, bytes)

  return signVisitToken(keyHex, {
    memberId,
    storeId,
    clerkOpenid: clerkOf(storeId),
    expiresAtMs: clockMs + VISIT_TOKEN_TTL_MS,
  })
}

async function redeemEvent(
  memberId: string,
  storeId: string,
  couponId: string,
  orderNo: string,
  amountFen?: number,
) {
  return {
    action: 'redeemCoupon',
    visitToken: await visitToken(memberId, storeId),
    couponId,
    orderNo,
    ...(amountFen === undefined ? {} : { amountFen }),
  }
}

async function redeem(
  memberId: string,
  storeId: string,
  couponId: string,
  orderNo: string,
  amountFen?: number,
) {
  const event = await redeemEvent(memberId, storeId, couponId, orderNo, amountFen)

  return env.call('staff', event, clerkOf(storeId))
}

async function wallet(openid: string, status?: string) {
  const answer = await env.call(
    'member',
    { action: 'coupons', ...(status ? { status } : {}) },
    openid,
  )

  return answer.data.coupons as Array<Record<string, any>>
}

const codeOf = (answer: any) => (answer.ok ? 'OK' : answer.error.code)

/** Points for a member: a purchase at `storeId`, one point per yuan. */
async function earn(memberId: string, storeId: string, orderNo: string, amountFen: number) {
  const purchase = {
    action: 'recordPurchase',
    visitToken: await visitToken(memberId, storeId),
    orderNo,
    amountFen,
  }
  await env.call('staff', purchase, clerkOf(storeId))
}

async function pointsOf(memberId: string) {
  return (await env.db.get<MemberDoc>('members', memberId))!.points
}

async function issuedOf(templateId: string) {
  return (await env.db.get<CouponCounterDoc>('couponCounters', `t.${templateId}`))!.issued
}

/**
 * The database port the functions use, through the real @cloudbase/node-sdk to this local cloud:
 * for what only the SDK path shows, such as the cap on documents a query answers.
 */
function sdkDatabase(): Database {
  // Without these the SDK probes Tencent's metadata address to learn where it runs.
  process.env.TENCENTCLOUD_RUNENV = 'SCF'
  process.env.TENCENTCLOUD_REGION = 'ap-shanghai'
  process.env.SCF_NAMESPACE = 'tongka-local'
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tcb: typeof import('@cloudbase/node-sdk') = require('@cloudbase/node-sdk')
  const app = tcb.init({
    env: 'tongka-local',
    serviceUrl: `${env.url}/admin`,
    secretId: 'local',
    secretKey: 'local',
    timeout: 15_000,
  })

  return createCloudbaseDatabase(app)
}

describe('redeeming a coupon exactly once', () => {
  it('lets one of 64 stores redeem the same coupon at once and tells the 63 others it is used', async () => {
    const { memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    const events = await Promise.all(
      storeIds.map((storeId, i) => redeemEvent(memberId, storeId, couponId, `R64-${i}`, 6_000)),
    )

    const answers = await Promise.all(
      events.map((event, i) => env.call('staff', event, clerkOf(storeIds[i]))),
    )

    const codes = answers.map(codeOf)
    expect(codes.filter((code) => code === 'OK')).toHaveLength(1)
    expect(codes.filter((code) => code === 'COUPON_ALREADY_REDEEMED')).toHaveLength(63)
    const lines = await env.db.find('settlements', { couponId }, { limit: 100 })
    expect(lines).toHaveLength(1)
  })

  it('answers an exact retry with the first result and refuses the order number reused', async () => {
    const { memberId } = await newMember()
    const templateId = await createTemplate({})
    const couponId = await issueOne(templateId, memberId)
    const otherCouponId = await issueOne(templateId, memberId)
    const event = await redeemEvent(memberId, 'c02', couponId, 'RETRY-1', 6_000)

    const first = await env.call('staff', event, clerkOf('c02'))
    const retries = await Promise.all([1, 2, 3].map(() => env.call('staff', event, clerkOf('c02'))))
    const otherAmount = await redeem(memberId, 'c02', couponId, 'RETRY-1', 7_000)
    const otherCoupon = await redeem(memberId, 'c02', otherCouponId, 'RETRY-1', 6_000)

    expect(first.data).toMatchObject({ couponId, discountFen: 1_000, storeId: 'c02' })
    for (const retry of retries) expect(retry).toEqual(first)
    expect(codeOf(otherAmount)).toBe('DUPLICATE_ORDER')
    expect(codeOf(otherCoupon)).toBe('DUPLICATE_ORDER')
  })

  it('refuses a coupon already redeemed at another store', async () => {
    const { memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    await redeem(memberId, 'c03', couponId, 'A-1', 6_000)

    const again = await redeem(memberId, 'c04', couponId, 'B-1', 6_000)

    expect(codeOf(again)).toBe('COUPON_ALREADY_REDEEMED')
  })

  it('refuses a coupon of a member whose account was deleted, and writes nothing', async () => {
    const { openid, memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    const event = await redeemEvent(memberId, 'c02', couponId, 'DEL-1', 6_000)
    await env.call('member', { action: 'deleteAccount' }, openid)
    const before = env.snapshot()

    const answer = await env.call('staff', event, clerkOf('c02'))

    expect(codeOf(answer)).toBe('NOT_REGISTERED')
    expect(env.snapshot()).toBe(before)
  })

  it('refuses a visit that another clerk scanned at another store', async () => {
    const { memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    const event = await redeemEvent(memberId, 'c02', couponId, 'OWN-1', 6_000)
    const before = env.snapshot()

    const answer = await env.call('staff', event, clerkOf('c03'))

    expect(codeOf(answer)).toBe('NOT_ALLOWED')
    expect(env.snapshot()).toBe(before)
  })

  it('refuses an unknown coupon and another member’s coupon as not found', async () => {
    const { memberId } = await newMember()
    const other = await newMember()
    const othersCoupon = await issueOne(await createTemplate({}), other.memberId)

    const unknown = await redeem(memberId, 'c02', 'Cnothing', 'NF-1', 6_000)
    const notTheirs = await redeem(memberId, 'c02', othersCoupon, 'NF-2', 6_000)

    expect(codeOf(unknown)).toBe('COUPON_NOT_FOUND')
    expect(codeOf(notTheirs)).toBe('COUPON_NOT_FOUND')
  })

  it('refuses a coupon after the end of its last Shanghai day, and shows it as expired', async () => {
    const { openid, memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({ validDays: 1 }), memberId)
    const [usable] = await wallet(openid, 'usable')
    // The local clock runs on from where it is set, so the last minute, not the last second.
    await setClock('2026-01-15T15:59:00.000Z')
    const lastMinute = await redeem(memberId, 'c02', couponId, 'EXP-0', 500)
    await env.call('staff', { action: 'refund', orderNo: 'EXP-0', amountFen: 500 }, clerkOf('c02'))
    await setClock('2026-01-15T16:00:00.000Z')

    const late = await redeem(memberId, 'c02', couponId, 'EXP-1', 6_000)
    const expired = await wallet(openid, 'expired')
    await setClock(T0)

    expect(usable).toMatchObject({ couponId, validUntil: '2026-01-15T23:59:59.999+08:00' })
    expect(codeOf(lastMinute)).toBe('OK')
    expect(codeOf(late)).toBe('COUPON_EXPIRED')
    expect(expired.map((coupon) => coupon.couponId)).toContain(couponId)
  })

  it('refuses a coupon at a store outside its list or region', async () => {
    const { memberId } = await newMember()
    const listed = await issueOne(await createTemplate({ stores: ['c01', 'c02'] }), memberId)
    const regional = await issueOne(
      await createTemplate({ stores: { regionId: 'east' } }),
      memberId,
    )

    const outsideList = await redeem(memberId, 'c05', listed, 'NV-1', 6_000)
    const outsideRegion = await redeem(memberId, 'c64', regional, 'NV-2', 6_000)
    const insideRegion = await redeem(memberId, 'c05', regional, 'NV-3', 6_000)

    expect(codeOf(outsideList)).toBe('COUPON_NOT_VALID_HERE')
    expect(codeOf(outsideRegion)).toBe('COUPON_NOT_VALID_HERE')
    expect(codeOf(insideRegion)).toBe('OK')
  })

  it('refuses an order below the minimum spend, and one without an amount', async () => {
    const { memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({ minSpendFen: 5_000 }), memberId)

    const below = await redeem(memberId, 'c02', couponId, 'MS-1', 4_999)
    const withoutAmount = await redeem(memberId, 'c02', couponId, 'MS-2')
    const enough = await redeem(memberId, 'c02', couponId, 'MS-3', 5_000)

    expect(codeOf(below)).toBe('MIN_SPEND_NOT_MET')
    expect(codeOf(withoutAmount)).toBe('MIN_SPEND_NOT_MET')
    expect(enough.data.discountFen).toBe(1_000)
  })

  it('takes a discount off the order up to its cap', async () => {
    const { memberId } = await newMember()
    const templateId = await createTemplate({
      kind: 'discount',
      valueFen: undefined,
      discountPercent: 80,
      maxDiscountFen: 3_000,
    })
    const small = await issueOne(templateId, memberId)
    const large = await issueOne(templateId, memberId)

    const onSmall = await redeem(memberId, 'c02', small, 'DS-1', 10_000)
    const onLarge = await redeem(memberId, 'c02', large, 'DS-2', 100_000)

    expect(onSmall.data.discountFen).toBe(2_000)
    expect(onLarge.data.discountFen).toBe(3_000)
  })
})

describe('points on an order with a coupon', () => {
  async function purchase(
    memberId: string,
    orderNo: string,
    amountFen: number,
    excludedFen?: number,
  ) {
    const event = {
      action: 'recordPurchase',
      visitToken: await visitToken(memberId, 'c03'),
      orderNo,
      amountFen,
      ...(excludedFen === undefined ? {} : { excludedFen }),
    }

    return env.call('staff', event, clerkOf('c03'))
  }

  it('earns nothing on the coupon’s discount when the coupon was redeemed first', async () => {
    const { memberId } = await newMember()
    const templateId = await createTemplate({ valueFen: 500, minSpendFen: 0 })
    const first = await issueOne(templateId, memberId)
    const second = await issueOne(templateId, memberId)

    expect((await redeem(memberId, 'c03', first, 'PC-1', 5_000)).data.discountFen).toBe(500)
    const bought = await purchase(memberId, 'PC-1', 5_000)
    const retried = await purchase(memberId, 'PC-1', 5_000)
    await redeem(memberId, 'c03', second, 'PC-2', 5_000)
    const withExcluded = await purchase(memberId, 'PC-2', 5_000, 1_000)

    expect(bought.data.pointsEarned).toBe(45)
    expect(retried).toEqual(bought)
    expect(withExcluded.data.pointsEarned).toBe(35)
    expect(await env.db.get('visits', 'c03.PC-1')).toMatchObject({ couponDiscountFen: 500 })
    expect(await pointsOf(memberId)).toBe(80)
  })

  it('refuses a coupon on an order already recorded and leaves it in the wallet', async () => {
    const { openid, memberId } = await newMember()
    const templateId = await createTemplate({ valueFen: 500, minSpendFen: 0 })
    const couponId = await issueOne(templateId, memberId)
    const bought = await purchase(memberId, 'PC-3', 5_000)
    const before = env.snapshot()

    const late = await redeem(memberId, 'c03', couponId, 'PC-3', 5_000)

    expect(bought.data.pointsEarned).toBe(50)
    expect(late.error).toEqual({
      code: 'DUPLICATE_ORDER',
      message: '这个订单已记账，不能再用券；请在记账前用券',
    })
    expect(env.snapshot()).toBe(before)
    expect((await wallet(openid, 'usable')).map((coupon) => coupon.couponId)).toContain(couponId)
    expect((await redeem(memberId, 'c03', couponId, 'PC-4', 5_000)).ok).toBe(true)
  })

  it('refuses to record an order whose coupon was another member’s', async () => {
    const owner = await newMember()
    const other = await newMember()
    const couponId = await issueOne(await createTemplate({}), owner.memberId)
    await redeem(owner.memberId, 'c03', couponId, 'PC-5', 5_000)
    const before = env.snapshot()

    const answer = await purchase(other.memberId, 'PC-5', 5_000)

    expect(codeOf(answer)).toBe('DUPLICATE_ORDER')
    expect(env.snapshot()).toBe(before)
  })
})

describe('refunds reinstate the coupon', () => {
  it('makes the coupon of a refunded order usable again, then redeemable elsewhere', async () => {
    const { openid, memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    const purchase = {
      action: 'recordPurchase',
      visitToken: await visitToken(memberId, 'c06'),
      orderNo: 'RF-1',
      amountFen: 6_000,
    }
    await redeem(memberId, 'c06', couponId, 'RF-1', 6_000)
    await env.call('staff', purchase, clerkOf('c06'))
    const [used] = await wallet(openid, 'used')

    const refund = { action: 'refund', orderNo: 'RF-1', amountFen: 6_000 }
    const refunded = await env.call('staff', refund, clerkOf('c06'))
    const retried = await env.call('staff', refund, clerkOf('c06'))
    const [usable] = await wallet(openid, 'usable')
    const again = await redeem(memberId, 'c07', couponId, 'RF-2', 6_000)

    expect(used).toMatchObject({ couponId, redeemed: { store: { storeId: 'c06' } } })
    expect(refunded.data).toMatchObject({ pointsReversed: 50, couponsReinstated: [couponId] })
    expect(retried).toEqual(refunded)
    expect(usable).toMatchObject({ couponId, status: 'usable', redeemed: null })
    expect(codeOf(again)).toBe('OK')
  })

  it('refuses the refunded order number for its coupon again, and redeems it on a new one', async () => {
    const { openid, memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    await redeem(memberId, 'c13', couponId, 'RR-1', 6_000)
    const refund = { action: 'refund', orderNo: 'RR-1', amountFen: 6_000 }
    const refunded = await env.call('staff', refund, clerkOf('c13'))
    const before = env.snapshot()

    const sameOrder = await redeem(memberId, 'c13', couponId, 'RR-1', 6_000)
    const isUnchanged = env.snapshot() === before
    const [stillUsable] = await wallet(openid, 'usable')
    const newOrder = await redeem(memberId, 'c13', couponId, 'RR-2', 6_000)
    const [used] = await wallet(openid, 'used')

    expect(refunded.data.couponsReinstated).toEqual([couponId])
    expect(codeOf(sameOrder)).toBe('DUPLICATE_ORDER')
    expect(sameOrder.error.message).toContain('新的订单号')
    expect(isUnchanged).toBe(true)
    expect(stillUsable).toMatchObject({ couponId, status: 'usable', redeemed: null })
    expect(newOrder.data).toMatchObject({ couponId, orderNo: 'RR-2', discountFen: 1_000 })
    expect(used).toMatchObject({ couponId, status: 'used', redeemed: { discountFen: 1_000 } })
  })

  it('keeps the coupon until the whole order is refunded', async () => {
    const { openid, memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    const purchase = {
      action: 'recordPurchase',
      visitToken: await visitToken(memberId, 'c06'),
      orderNo: 'RF-3',
      amountFen: 6_000,
    }
    await redeem(memberId, 'c06', couponId, 'RF-3', 6_000)
    await env.call('staff', purchase, clerkOf('c06'))

    const part = { action: 'refund', orderNo: 'RF-3', amountFen: 1_000 }
    const partly = await env.call('staff', part, clerkOf('c06'))
    const stillUsed = await wallet(openid, 'used')
    const rest = { action: 'refund', orderNo: 'RF-3', amountFen: 5_000, refundNo: 'RF-3-2' }
    const wholly = await env.call('staff', rest, clerkOf('c06'))

    expect(partly.data.couponsReinstated).toEqual([])
    expect(stillUsed.map((coupon) => coupon.couponId)).toEqual([couponId])
    expect(wholly.data.couponsReinstated).toEqual([couponId])
  })

  it('leaves a coupon expired when the refund comes after its validity', async () => {
    const { openid, memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({ validDays: 1 }), memberId)
    await redeem(memberId, 'c06', couponId, 'RF-4', 6_000)
    await setClock('2026-01-16T02:00:00.000Z')

    const refund = { action: 'refund', orderNo: 'RF-4', amountFen: 6_000 }
    const refunded = await env.call('staff', refund, clerkOf('c06'))
    const coupons = await wallet(openid)
    await setClock(T0)

    expect(refunded.data.couponsReinstated).toEqual([couponId])
    expect(coupons[0]).toMatchObject({ couponId, status: 'expired' })
  })
})

describe('issuing under stock and limits', () => {
  it('gives exactly one coupon when 64 claims race for a stock of one', async () => {
    const templateId = await createTemplate({ stock: 1 })
    const members = []
    for (let i = 0; i < 64; i += 1) members.push(await newMember())

    const answers = await Promise.all(
      members.map((member) =>
        env.call('hq', { action: 'issueCoupons', templateId, memberIds: [member.memberId] }, HQ),
      ),
    )

    const issued = answers.flatMap((answer) => answer.data.issued)
    const refused = answers.flatMap((answer) => answer.data.refused)
    expect(issued).toHaveLength(1)
    expect(refused.map((refusal) => refusal.code)).toEqual(Array(63).fill('COUPON_OUT_OF_STOCK'))
    expect(await env.db.count('coupons', { templateId })).toBe(1)
    const templates = await env.call('hq', { action: 'couponTemplates' }, 'o-hq-analyst')
    const template = templates.data.templates.find((t: any) => t.templateId === templateId)
    expect(template).toMatchObject({ stock: 1, issued: 1 })
  })

  it('holds the per-member limit when the same member is issued many at once', async () => {
    const { memberId } = await newMember()
    const templateId = await createTemplate({ perMemberLimit: 2 })

    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        env.call('hq', { action: 'issueCoupons', templateId, memberIds: [memberId] }, HQ),
      ),
    )

    const refused = answers.flatMap((answer) => answer.data.refused)
    expect(await env.db.count('coupons', { templateId })).toBe(2)
    expect(refused.map((refusal) => refusal.code)).toEqual(Array(6).fill('COUPON_LIMIT_REACHED'))
  })

  it('issues a retried batch once', async () => {
    const a = await newMember()
    const b = await newMember()
    const templateId = await createTemplate({})
    const batch = { action: 'issueCoupons', templateId, memberIds: [a.memberId, b.memberId] }

    const first = await env.call('hq', { ...batch, issueNo: 'BATCH-1' }, HQ)
    const retry = await env.call('hq', { ...batch, issueNo: 'BATCH-1' }, HQ)

    expect(first.data.issued).toHaveLength(2)
    expect(retry).toEqual(first)
    expect(await env.db.count('coupons', { templateId })).toBe(2)
  })

  it('makes one template of a retried creation and refuses its key for other content', async () => {
    const event = {
      action: 'createCouponTemplate',
      title: '双击也只一张',
      kind: 'cash',
      valueFen: 500,
      validDays: 7,
      costBearer: 'hq',
      templateNo: 'TPL-double-tap',
    }

    const [first, tappedTwice] = await Promise.all([
      env.call('hq', event, HQ),
      env.call('hq', event, HQ),
    ])
    const retry = await env.call('hq', event, HQ)
    const before = env.snapshot()
    const other = await env.call('hq', { ...event, valueFen: 800 }, HQ)

    expect(first.ok).toBe(true)
    expect(tappedTwice).toEqual(first)
    expect(retry).toEqual(first)
    expect(await env.db.count('couponTemplates', { title: '双击也只一张' })).toBe(1)
    expect(
      await env.db.count('auditLog', {
        action: 'createCouponTemplate',
        'detail.templateId': first.data.templateId,
      }),
    ).toBe(1)
    expect(other.error.code).toBe('DUPLICATE_ORDER')
    expect(env.snapshot()).toBe(before)
  })

  it('answers a retried creation after its end date passed with the template it made', async () => {
    const event = {
      action: 'createCouponTemplate',
      title: '今日限定',
      kind: 'cash',
      valueFen: 500,
      validFrom: '2026-01-15',
      validTo: '2026-01-15',
      costBearer: 'hq',
      templateNo: 'TPL-today-only',
    }
    const first = await env.call('hq', event, HQ)
    await setClock('2026-01-16T04:00:00.000Z')

    const retry = await env.call('hq', event, HQ)
    await setClock(T0)

    expect(retry).toEqual(first)
  })

  it('gives a new member the welcome gift and counts it on the card', async () => {
    const templateId = await createTemplate({ title: '新人礼' })
    await env.db.set('settings', { _id: 'welcomeGift', templateId })
    const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13911112222' })
    const registered = await env.call(
      'member',
      { action: 'register', phoneCode: code, consentVersion: '2026-11', storeId: 'c02' },
      'o-welcome',
    )
    await env.db.set('settings', { _id: 'welcomeGift', templateId: null })

    const coupons = await wallet('o-welcome')

    expect(registered.data.card.couponCount).toBe(1)
    expect(coupons).toMatchObject([{ title: '新人礼', status: 'usable' }])
  })

  it('records a failed welcome gift and still registers the member', async () => {
    const templateId = await createTemplate({ title: '限量新人礼', stock: 1 })
    await issueOne(templateId, (await newMember()).memberId)
    await env.db.set('settings', { _id: 'welcomeGift', templateId })
    const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13911113333' })
    const registered = await env.call(
      'member',
      { action: 'register', phoneCode: code, consentVersion: '2026-11' },
      'o-welcome-2',
    )
    await env.db.set('settings', { _id: 'welcomeGift', templateId: null })
    const memberId = registered.data.card.memberId

    const failure = await env.db.get('jobs', `welcomeGift.${memberId}`)

    expect(registered.data.isNew).toBe(true)
    expect(failure).toMatchObject({ code: 'COUPON_OUT_OF_STOCK', templateId })
  })

  it('exchanges points for a coupon in one transaction, once per exchange number', async () => {
    const { openid, memberId } = await newMember()
    const templateId = await createTemplate({ exchangePoints: 50 })
    const purchase = {
      action: 'recordPurchase',
      visitToken: await visitToken(memberId, 'c02'),
      orderNo: 'EX-1',
      amountFen: 8_000,
    }
    await env.call('staff', purchase, clerkOf('c02'))

    const event = { action: 'exchange', templateId, exchangeNo: 'X1' }
    const first = await env.call('member', event, openid)
    const retry = await env.call('member', event, openid)
    const broke = await env.call('member', { action: 'exchange', templateId }, openid)
    const notForPoints = await env.call(
      'member',
      { action: 'exchange', templateId: await createTemplate({}) },
      openid,
    )

    expect(first.data.balance).toBe(30)
    expect(retry).toEqual(first)
    expect(codeOf(broke)).toBe('INSUFFICIENT_POINTS')
    expect(codeOf(notForPoints)).toBe('COUPON_NOT_EXCHANGEABLE')
    expect((await wallet(openid)).map((coupon) => coupon.couponId)).toEqual([first.data.couponId])
  })

  it('refuses to issue or exchange a coupon whose dates have passed, taking no stock or points', async () => {
    const { openid, memberId } = await newMember()
    await earn(memberId, 'c02', 'EXP-P1', 8_000)
    const templateId = await createTemplate({
      validDays: undefined,
      validFrom: '2026-01-10',
      validTo: '2026-01-15',
      stock: 10,
      exchangePoints: 50,
    })
    // Midnight after the last day, in Shanghai.
    await setClock('2026-01-15T16:00:00.000Z')
    const before = env.snapshot()

    const issued = await env.call(
      'hq',
      { action: 'issueCoupons', templateId, memberIds: [memberId], issueNo: 'LATE-1' },
      HQ,
    )
    const exchanged = await env.call(
      'member',
      { action: 'exchange', templateId, exchangeNo: 'LATE-X1' },
      openid,
    )
    const after = env.snapshot()
    await setClock(T0)

    expect(issued.data).toEqual({ issued: [], refused: [{ memberId, code: 'COUPON_EXPIRED' }] })
    expect(codeOf(exchanged)).toBe('COUPON_EXPIRED')
    expect(await issuedOf(templateId)).toBe(0)
    expect(await pointsOf(memberId)).toBe(80)
    expect(after).toBe(before)
  })

  it('records an ended welcome gift as refused, without taking its stock', async () => {
    const templateId = await createTemplate({
      title: '过期新人礼',
      validDays: undefined,
      validFrom: '2026-01-10',
      validTo: '2026-01-15',
    })
    await env.db.set('settings', { _id: 'welcomeGift', templateId })
    await setClock('2026-01-15T16:30:00.000Z')
    const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13911114444' })
    const registered = await env.call(
      'member',
      { action: 'register', phoneCode: code, consentVersion: '2026-11' },
      'o-welcome-late',
    )
    await env.db.set('settings', { _id: 'welcomeGift', templateId: null })
    await setClock(T0)
    const memberId = registered.data.card.memberId

    const failure = await env.db.get('jobs', `welcomeGift.${memberId}`)

    expect(registered.data.card.couponCount).toBe(0)
    expect(failure).toMatchObject({ code: 'COUPON_EXPIRED', templateId })
    expect(await issuedOf(templateId)).toBe(0)
    expect(await env.db.count('coupons', { templateId })).toBe(0)
  })

  it('refuses an exchange number already used for another template', async () => {
    const { openid, memberId } = await newMember()
    await earn(memberId, 'c02', 'EXN-1', 10_000)
    const first = await createTemplate({ exchangePoints: 20 })
    const second = await createTemplate({ exchangePoints: 30 })
    await env.call('member', { action: 'exchange', templateId: first, exchangeNo: 'N1' }, openid)
    const before = env.snapshot()

    const reused = await env.call(
      'member',
      { action: 'exchange', templateId: second, exchangeNo: 'N1' },
      openid,
    )

    expect(codeOf(reused)).toBe('DUPLICATE_ORDER')
    expect(env.snapshot()).toBe(before)
    expect(await pointsOf(memberId)).toBe(80)
  })

  it('lists the templates a member can take for points now, cheapest first, with the balance', async () => {
    const { openid, memberId } = await newMember()
    await earn(memberId, 'c02', 'EXL-1', 8_000)
    const regional = await createTemplate({
      title: '积分换 5 元',
      valueFen: 500,
      exchangePoints: 30,
      stores: { regionId: 'east' },
    })
    const fixed = await createTemplate({
      title: '春节券',
      exchangePoints: 60,
      validDays: undefined,
      validFrom: '2026-01-20',
      validTo: '2026-02-20',
    })
    const endsToday = await createTemplate({
      exchangePoints: 40,
      validDays: undefined,
      validFrom: '2026-01-10',
      validTo: '2026-01-15',
    })
    const soldOut = await createTemplate({ exchangePoints: 10, stock: 1 })
    await issueOne(soldOut, (await newMember()).memberId)
    const held = await createTemplate({ exchangePoints: 10, perMemberLimit: 1 })
    await issueOne(held, memberId)
    const notForPoints = await createTemplate({})
    const ours = [regional, fixed, endsToday, soldOut, held, notForPoints]
    // Other tests' templates are offered too, on pages of their own: every page is read.
    const listed = async () => {
      const templates: any[] = []
      let answer: any
      let cursor: string | undefined
      do {
        answer = await env.call('member', { action: 'exchangeable', cursor }, openid)
        templates.push(...answer.data.templates)
        cursor = answer.data.nextCursor ?? undefined
      } while (cursor)

      return {
        balance: answer.data.balance,
        templates: templates.filter((t: any) => ours.includes(t.templateId)),
      }
    }

    const today = await listed()
    await setClock('2026-01-15T16:00:00.000Z')
    const tomorrow = await listed()
    await setClock(T0)

    expect(today.balance).toBe(80)
    expect(today.templates).toEqual([
      {
        templateId: regional,
        title: '积分换 5 元',
        kind: 'cash',
        valueFen: 500,
        discountPercent: null,
        maxDiscountFen: null,
        minSpendFen: 0,
        exchangePoints: 30,
        validDays: 7,
        validFrom: expect.stringMatching(/^2026-01-15T12:/),
        validUntil: '2026-01-21T23:59:59.999+08:00',
        places: { scope: 'region', description: '华东区域门店可用', stores: [] },
      },
      expect.objectContaining({ templateId: endsToday, exchangePoints: 40 }),
      expect.objectContaining({
        templateId: fixed,
        validDays: null,
        validFrom: '2026-01-20T00:00:00.000+08:00',
        validUntil: '2026-02-20T23:59:59.999+08:00',
        places: { scope: 'all', description: '全部门店可用', stores: [] },
      }),
    ])
    expect(tomorrow.templates.map((t: any) => t.templateId)).toEqual([regional, fixed])
  })

  it('lists at the counter only the coupons usable at that store', async () => {
    const { memberId } = await newMember()
    const everywhere = await issueOne(await createTemplate({ title: '通用券' }), memberId)
    await issueOne(await createTemplate({ title: '指定店券', stores: ['c09'] }), memberId)
    const { code } = await env.dev<{ code: string }>('member-code', { memberId })

    const scan = await env.call('staff', { action: 'scan', code }, clerkOf('c08'))

    expect(scan.data.member.usableCoupons).toMatchObject([
      { couponId: everywhere, title: '通用券' },
    ])
  })
})

describe('the coupon expiry timer', () => {
  it('marks coupons past their validity as expired and records its progress', async () => {
    const { memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({ validDays: 1 }), memberId)
    await setClock('2026-01-17T00:00:00.000Z')

    const run = await env.dev('trigger/couponExpiry')
    const coupon = await env.db.get<CouponDoc>('coupons', couponId)
    const job = await env.db.get('jobs', 'couponExpiry.2026-01-17')
    await setClock(T0)

    expect(run.result).toMatchObject({ ok: true, data: { status: 'done' } })
    expect(coupon?.status).toBe('expired')
    expect(job).toMatchObject({ status: 'done' })
  })

  it('is done only once a query finds nothing due, though CloudBase answers 1000 at most', async () => {
    const { memberId } = await newMember()
    // Due before every coupon the other tests issued, on a day no run has touched.
    const due: CouponDoc[] = Array.from({ length: 1_001 }, (_, i) => ({
      _id: `CCAP${String(i).padStart(4, '0')}`,
      templateId: 'TCAP',
      memberId,
      title: '满 50 减 10',
      kind: 'cash',
      valueFen: 1_000,
      discountPercent: null,
      maxDiscountFen: null,
      minSpendFen: 0,
      stores: 'all',
      costBearer: 'hq',
      issuerStoreId: 'c01',
      source: 'hq',
      validFrom: '2025-11-01T16:00:00.000Z',
      validUntil: '2025-11-30T16:00:00.000Z',
      status: 'usable',
      issuedAt: '2025-11-01T16:00:00.000Z',
      redemption: null,
    }))
    env.cloud.store.insert('coupons', due)
    const now = new Date('2025-12-01T04:00:00.000Z')
    const limits = { couponsPerChunk: 2_000, chunksPerRun: 3 }

    const report = await runCouponExpiry(
      sdkDatabase(),
      { now, requestId: 'expiry-cap', randomBytes: bytes },
      limits,
    )

    expect(report).toEqual({ date: '2025-12-01', status: 'done', couponsExpired: 1_001 })
    expect(await env.db.count('coupons', { memberId, status: 'usable' })).toBe(0)
  })
})

describe('settlement between stores', () => {
  it('sums to the redemption records and nets each pair of stores', async () => {
    await setClock('2026-02-10T04:00:00.000Z')
    const { memberId } = await newMember('c10')
    const byIssuer = await createTemplate({ costBearer: 'issuer', valueFen: 700 })
    const byHq = await createTemplate({ costBearer: 'hq', valueFen: 300 })
    const byRedeemer = await createTemplate({ costBearer: 'redeemer', valueFen: 200 })
    await redeem(memberId, 'c11', await issueOne(byIssuer, memberId), 'ST-1', 6_000)
    await redeem(memberId, 'c11', await issueOne(byIssuer, memberId), 'ST-2', 6_000)
    await redeem(memberId, 'c10', await issueOne(byHq, memberId), 'ST-3', 6_000)
    await redeem(memberId, 'c12', await issueOne(byRedeemer, memberId), 'ST-4', 6_000)
    const other = await newMember('c11')
    await redeem(other.memberId, 'c10', await issueOne(byIssuer, other.memberId), 'ST-5', 6_000)

    const report = await env.call('hq', { action: 'settlement', month: '2026-02' }, HQ)
    const mine = await env.call(
      'staff',
      { action: 'settlement', month: '2026-02' },
      'o-manager-c01',
    )
    const used = await env.db.find<CouponDoc>('coupons', { status: 'used' }, { limit: 1_000 })
    const february = used.filter((coupon) => coupon.redemption!.at.startsWith('2026-02'))
    await setClock(T0)

    const sum = february.reduce((total, coupon) => total + coupon.redemption!.discountFen, 0)
    expect(report.data.totals).toEqual({ redemptions: february.length, couponFen: sum })
    expect(report.data.pairs).toEqual(
      expect.arrayContaining([
        { from: 'c10', to: 'c11', couponFen: 700, points: 0 },
        { from: 'hq', to: 'c10', couponFen: 300, points: 0 },
      ]),
    )
    const c11 = report.data.stores.find((row: any) => row.storeId === 'c11')
    expect(c11).toMatchObject({ redeemedForOthersFen: 1_400, redeemedByOthersFen: 700 })
    expect(mine.data.storeId).toBe('c01')
  })

  it('counts points created and consumed and who owes whom for them', async () => {
    await setClock('2026-03-03T04:00:00.000Z')
    const { memberId } = await newMember('c20')
    const earn = {
      action: 'recordPurchase',
      visitToken: await visitToken(memberId, 'c20'),
      orderNo: 'PT-1',
      amountFen: 10_000,
    }
    await env.call('staff', earn, clerkOf('c20'))
    const spend = {
      action: 'spendPoints',
      visitToken: await visitToken(memberId, 'c21'),
      points: 40,
      orderNo: 'PT-2',
    }
    await env.call('staff', spend, clerkOf('c21'))

    const report = await env.call(
      'hq',
      { action: 'settlement', month: '2026-03', storeId: 'c20' },
      HQ,
    )
    await setClock(T0)

    expect(report.data.stores).toEqual([
      expect.objectContaining({ storeId: 'c20', pointsCreated: 100, pointsConsumed: 0 }),
    ])
    expect(report.data.pairs).toEqual([{ from: 'c20', to: 'c21', couponFen: 0, points: 40 }])
  })

  it('exports the settlement as CSV with the same figures', async () => {
    const json = await env.call('hq', { action: 'settlement', month: '2026-02' }, HQ)
    const exported = await env.call(
      'hq',
      { action: 'settlement', month: '2026-02', format: 'csv' },
      HQ,
    )

    const rows = parse(exported.data.csv, { columns: true, bom: true }) as Array<
      Record<string, string>
    >

    expect(exported.data.filename).toBe('settlement-2026-02-all.csv')
    const storeRows = rows.filter((row) => row.section === 'store')
    expect(storeRows.map((row) => Number(row.redeemed_for_others_fen))).toEqual(
      json.data.stores.map((row: any) => row.redeemedForOthersFen),
    )
    expect(rows.filter((row) => row.section === 'pair')).toHaveLength(json.data.pairs.length)
  })
})

describe('who may do what with coupons', () => {
  it.each([
    ['a clerk listing templates', 'hq', { action: 'couponTemplates' }, 'o-clerk-c01'],
    [
      'a clerk reading the settlement',
      'staff',
      { action: 'settlement', month: '2026-02' },
      'o-clerk-c01',
    ],
    [
      'a store manager reading the chain settlement',
      'hq',
      { action: 'settlement', month: '2026-02' },
      'o-manager-c01',
    ],
  ])('refuses %s', async (_case, name, event, openid) => {
    const answer = await env.call(name, event, openid)

    expect(codeOf(answer)).toBe('NOT_ALLOWED')
  })

  it('lets only an HQ admin create templates', async () => {
    const event = {
      action: 'createCouponTemplate',
      title: 'x',
      kind: 'gift',
      valueFen: 100,
      validDays: 1,
      costBearer: 'hq',
    }

    const answer = await env.call('hq', event, 'o-hq-analyst')

    expect(codeOf(answer)).toBe('NOT_ALLOWED')
  })
})

describe('bad input writes nothing', () => {
  const template = {
    action: 'createCouponTemplate',
    title: '券',
    kind: 'cash',
    valueFen: 500,
    validDays: 3,
    costBearer: 'hq',
  }

  it.each([
    [
      'a discount without its cap',
      { ...template, kind: 'discount', valueFen: undefined, discountPercent: 80 },
    ],
    ['a cash coupon without value', { ...template, valueFen: undefined }],
    ['both validity forms', { ...template, validFrom: '2026-01-01', validTo: '2026-01-31' }],
    ['no validity', { ...template, validDays: undefined }],
    [
      'dates the wrong way round',
      { ...template, validDays: undefined, validFrom: '2026-02-01', validTo: '2026-01-01' },
    ],
    ['an unknown cost bearer', { ...template, costBearer: 'member' }],
    ['a fractional value', { ...template, valueFen: 10.5 }],
    ['an extra field', { ...template, status: 'used' }],
    ['an empty store list', { ...template, stores: [] }],
    ['a store that does not exist', { ...template, stores: ['nowhere'] }],
    [
      'an end date already past',
      { ...template, validDays: undefined, validFrom: '2026-01-01', validTo: '2026-01-14' },
    ],
  ])('refuses a template with %s', async (_case, event) => {
    const before = env.snapshot()

    const answer = await env.call('hq', event, HQ)

    expect(codeOf(answer)).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })

  it('takes the end date of today and refuses yesterday’s by the Shanghai day, not UTC', async () => {
    const fixed = { ...template, validDays: undefined, validFrom: '2026-01-10' }
    const lastMinute = await env.call('hq', { ...fixed, validTo: '2026-01-15' }, HQ)
    // 00:30 on 16 January in Shanghai, still the 15th in UTC.
    await setClock('2026-01-15T16:30:00.000Z')
    const before = env.snapshot()
    const nextDay = await env.call('hq', { ...fixed, validTo: '2026-01-15' }, HQ)
    const after = env.snapshot()
    await setClock(T0)

    expect(codeOf(lastMinute)).toBe('OK')
    expect(codeOf(nextDay)).toBe('INVALID_INPUT')
    expect(nextDay.error.message).toContain('2026-01-15')
    expect(after).toBe(before)
  })

  it.each([
    ['no members', { memberIds: [] }],
    ['a member id with spaces', { memberIds: ['M 1'] }],
    ['an extra field', { memberIds: ['M1'], stock: 5 }],
  ])('refuses issuing to %s', async (_case, fields) => {
    const templateId = await createTemplate({})
    const before = env.snapshot()

    const answer = await env.call('hq', { action: 'issueCoupons', templateId, ...fields }, HQ)

    expect(codeOf(answer)).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })

  it.each([
    ['a negative amount', { amountFen: -1 }],
    ['an amount as text', { amountFen: '6000' }],
    ['a coupon id with a dot', { couponId: 'C.1' }],
    ['an extra field', { discountFen: 100 }],
    ['a missing order number', { orderNo: undefined }],
  ])('refuses a redemption with %s', async (_case, fields) => {
    const { memberId } = await newMember()
    const couponId = await issueOne(await createTemplate({}), memberId)
    const event = { ...(await redeemEvent(memberId, 'c02', couponId, 'BAD-1', 6_000)), ...fields }
    const before = env.snapshot()

    const answer = await env.call('staff', event, clerkOf('c02'))

    expect(codeOf(answer)).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })

  it.each([
    ['a wallet status that does not exist', { action: 'coupons', status: 'all' }],
    ['an exchange without a template', { action: 'exchange' }],
    ['a settlement month written another way', { action: 'settlement', month: '2026-2' }],
  ])('refuses %s', async (_case, event) => {
    const { openid } = await newMember()
    const before = env.snapshot()

    const answer =
      event.action === 'settlement'
        ? await env.call('hq', event, HQ)
        : await env.call('member', event, openid)

    expect(codeOf(answer)).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })
})
