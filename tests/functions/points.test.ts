import { randomBytes } from 'node:crypto'
import { upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import type { StaffDoc } from '../../cloudfunctions/domain/models'
import { defaultPointsRules } from '../../cloudfunctions/domain/points-rules'
import {
  loadSigningKey,
  signVisitToken,
  VISIT_TOKEN_TTL_MS,
} from '../../cloudfunctions/domain/visit-tokens'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

const STORE_COUNT = 20
const T0 = '2026-01-15T04:00:00.000Z'
let env: TestCloud
let clockMs = Date.parse(T0)
let memberCount = 0

const storeIds = Array.from({ length: STORE_COUNT }, (_, i) => `p${String(i + 1).padStart(2, '0')}`)
const clerkOf = (storeId: string) => `o-clerk-${storeId}`

function staff(openid: string, role: StaffDoc['role'], storeId: string | null): StaffDoc {
  return { _id: openid, openid, name: openid, role, storeId, regionId: 'east', isActive: true }
}

beforeAll(async () => {
  env = await startTestCloud()
  await env.dev('clock', { now: T0 })
  for (const storeId of storeIds) {
    await upsertStore(env.db, {
      _id: storeId,
      name: `鲜邻超市·${storeId}店`,
      regionId: 'east',
      city: '上海市',
      cityCode: '3101',
      district: '徐汇区',
      districtCode: '310104',
      isActive: true,
    })
    await upsertStaff(env.db, staff(clerkOf(storeId), 'clerk', storeId))
  }
  await upsertStaff(env.db, staff('o-hq-admin', 'hq_admin', null))
  await upsertStaff(env.db, staff('o-hq-analyst', 'hq_analyst', null))
})

afterAll(async () => {
  await env.close()
})

async function registerMember(): Promise<{ openid: string; memberId: string }> {
  memberCount += 1
  const openid = `o-points-${memberCount}`
  const phone = `1390000${String(memberCount).padStart(4, '0')}`
  const { code } = await env.dev<{ code: string }>('phone-code', { phone })
  const terms = await env.call('member', { action: 'terms' }, openid)
  const registered = await env.call(
    'member',
    { action: 'register', phoneCode: code, consentVersion: terms.data.version },
    openid,
  )

  return { openid, memberId: registered.data.card.memberId }
}

/** A visit token as a scan at that store would have issued it, without spending card codes. */
async function visitToken(memberId: string, storeId: string): Promise<string> {
  const keyHex = await loadSigningKey(env.db, (length) => new Uint8Array(randomBytes(length)))

  return signVisitToken(keyHex, {
    memberId,
    storeId,
    clerkOpenid: clerkOf(storeId),
    expiresAtMs: clockMs + VISIT_TOKEN_TTL_MS,
  })
}

async function earn(memberId: string, storeId: string, orderNo: string, amountFen: number) {
  const event = {
    action: 'recordPurchase',
    visitToken: await visitToken(memberId, storeId),
    orderNo,
    amountFen,
  }

  return env.call('staff', event, clerkOf(storeId))
}

async function spendEvent(memberId: string, storeId: string, orderNo: string, points: number) {
  return { action: 'spendPoints', visitToken: await visitToken(memberId, storeId), orderNo, points }
}

async function setClock(iso: string, freeze = false) {
  clockMs = Date.parse(iso)
  await env.dev('clock', { now: iso, freeze })
}

describe('spending points at the counter', () => {
  it('lets exactly one of 20 stores spend the same 100 points at once', async () => {
    const { openid, memberId } = await registerMember()
    await earn(memberId, 'p01', 'E1', 10_000)
    const events = await Promise.all(
      storeIds.map((storeId, i) => spendEvent(memberId, storeId, `SP${i}`, 100)),
    )

    const answers = await Promise.all(
      events.map((event, i) => env.call('staff', event, clerkOf(storeIds[i]))),
    )

    const codes = answers.map((answer) => (answer.ok ? 'OK' : answer.error.code))
    expect(codes.filter((code) => code === 'OK')).toHaveLength(1)
    expect(codes.filter((code) => code === 'INSUFFICIENT_POINTS')).toHaveLength(19)
    const card = await env.call('member', { action: 'card' }, openid)
    expect(card.data.points).toBe(0)
  })

  it('answers a retried spend with the first balance', async () => {
    const { memberId } = await registerMember()
    await earn(memberId, 'p01', 'E2', 10_000)
    const event = await spendEvent(memberId, 'p02', 'SP1', 30)

    const first = await env.call('staff', event, clerkOf('p02'))
    const retry = await env.call('staff', event, clerkOf('p02'))

    expect(first).toEqual({ ok: true, data: { balance: 70 } })
    expect(retry).toEqual(first)
  })

  it('takes back a refunded order after a spend only down to zero', async () => {
    const { openid, memberId } = await registerMember()
    await earn(memberId, 'p01', 'R1', 10_000)
    await env.call('staff', await spendEvent(memberId, 'p02', 'SP-R1', 60), clerkOf('p02'))

    const refund = { action: 'refund', orderNo: 'R1', amountFen: 10_000 }
    const refunded = await env.call('staff', refund, clerkOf('p01'))
    const points = await env.call('member', { action: 'points' }, openid)

    expect(refunded.data).toEqual({
      refundedFen: 10_000,
      pointsReversed: 40,
      shortfall: 60,
      balance: 0,
      couponsReinstated: [],
    })
    expect(points.data.balance).toBe(0)
    expect(points.data.entries.map((entry: { kind: string }) => entry.kind)).toEqual([
      'reversal',
      'spend',
      'earn',
    ])
    expect(points.data.entries[1]).toMatchObject({
      delta: -60,
      store: { storeId: 'p02' },
      lots: [{ lotId: 'p01.R1', points: 60 }],
    })
  })
})

describe('partial refunds at the counter', () => {
  it('takes points for two refunds of the same amount with their own 退款单号', async () => {
    const { openid, memberId } = await registerMember()
    await earn(memberId, 'p01', 'RN1', 10_000)
    const refund = (amountFen: number, refundNo?: string) => ({
      action: 'refund',
      orderNo: 'RN1',
      amountFen,
      ...(refundNo ? { refundNo } : {}),
    })

    const first = await env.call('staff', refund(2_500, 'POS-20260115-01'), clerkOf('p01'))
    const second = await env.call('staff', refund(2_500, 'POS-20260115-02'), clerkOf('p01'))
    const retried = await env.call('staff', refund(2_500, 'POS-20260115-02'), clerkOf('p01'))
    const unnumbered = await env.call('staff', refund(1_000), clerkOf('p01'))
    const card = await env.call('member', { action: 'card' }, openid)

    expect(first.data).toMatchObject({ refundedFen: 2_500, pointsReversed: 25, balance: 75 })
    expect(second.data).toMatchObject({ refundedFen: 5_000, pointsReversed: 25, balance: 50 })
    expect(retried).toEqual(second)
    expect(unnumbered.error).toEqual({
      code: 'DUPLICATE_ORDER',
      message: expect.stringContaining('退款单号'),
    })
    expect(card.data.points).toBe(50)
  })
})

describe('bad input writes nothing', () => {
  it.each([
    ['spendPoints', { points: 0, orderNo: 'X1' }],
    ['spendPoints', { points: -5, orderNo: 'X1' }],
    ['spendPoints', { points: 1.5, orderNo: 'X1' }],
    ['spendPoints', { points: '10', orderNo: 'X1' }],
    ['spendPoints', { points: 10 }],
    ['spendPoints', { points: 10, orderNo: 'X 1' }],
    ['spendPoints', { points: 10, orderNo: 'X1', balance: 999 }],
    ['refund', { orderNo: 'E1', amountFen: 0 }],
    ['refund', { orderNo: 'E1', amountFen: -100 }],
    ['refund', { orderNo: 'E1', amountFen: 100, refundNo: 2 }],
    ['refund', { orderNo: 'E1', amountFen: 100, refundNo: '' }],
    ['refund', { orderNo: 'E1', amountFen: 100, refundNo: 'R.2' }],
    ['refund', { orderNo: 'E1', amountFen: 100, points: 5 }],
    ['refund', { orderNo: 'E1', amountFen: 20_000 }],
    ['recordPurchase', { orderNo: 'X9', amountFen: 100, excludedFen: 200 }],
    ['recordPurchase', { orderNo: 'X9', amountFen: 100, excludedFen: -1 }],
  ])('refuses staff %s with %j as INVALID_INPUT', async (action, fields) => {
    const { memberId } = await registerMember()
    const orderNo = `INV${memberCount}`
    await earn(memberId, 'p01', orderNo, 10_000)
    const before = env.snapshot()
    const event = { action, visitToken: await visitToken(memberId, 'p01'), ...fields }
    if ('orderNo' in event && event.orderNo === 'E1') event.orderNo = orderNo
    if (action === 'refund') delete (event as Record<string, unknown>).visitToken

    const answer = await env.call('staff', event, clerkOf('p01'))

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })

  const rules = defaultPointsRules
  it.each([
    ['adjustPoints', { memberId: 'M1', points: 0, reason: '补偿' }],
    ['adjustPoints', { memberId: 'M1', points: 10, reason: '' }],
    ['adjustPoints', { points: 10, reason: '补偿' }],
    ['adjustPoints', { memberId: 'M1', points: 10, reason: '补偿', balance: 1 }],
    ['updateRules', { rules: { ...rules, tierReviewDate: '02-30' } }],
    ['updateRules', { rules: { ...rules, earning: { pointsPerYuan: -1, excludedNote: '' } } }],
    ['updateRules', { rules: { ...rules, tiers: [...rules.tiers].reverse() } }],
    [
      'updateRules',
      { rules: { ...rules, tiers: rules.tiers.map((t) => ({ ...t, multiplierPercent: 50 })) } },
    ],
    ['updateRules', { rules: { ...rules, expiry: { months: 0 } } }],
    ['updateRules', { rules: { ...rules, extra: true } }],
  ])('refuses hq %s with bad fields as INVALID_INPUT', async (action, fields) => {
    const before = env.snapshot()
    const answer = await env.call('hq', { action, ...fields }, 'o-hq-admin')

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })
})

describe('hq actions', () => {
  const cases: Array<[string, string, Record<string, boolean>]> = [
    ['an HQ admin', 'o-hq-admin', { adjustPoints: true, getRules: true, updateRules: true }],
    ['an HQ analyst', 'o-hq-analyst', { adjustPoints: false, getRules: true, updateRules: false }],
    [
      'a region manager',
      'o-region-east',
      { adjustPoints: false, getRules: true, updateRules: false },
    ],
    ['a clerk', 'o-clerk-p01', { adjustPoints: false, getRules: false, updateRules: false }],
    ['a member', 'o-points-1', { adjustPoints: false, getRules: false, updateRules: false }],
  ]

  it.each(cases)('lets %s do only what the table allows', async (_who, openid, allowed) => {
    const { memberId } = await registerMember()
    const events = {
      adjustPoints: { action: 'adjustPoints', memberId, points: 5, reason: '测试权限' },
      getRules: { action: 'getRules' },
      updateRules: { action: 'updateRules', rules: defaultPointsRules },
    }
    for (const [action, event] of Object.entries(events)) {
      const before = env.snapshot()
      const answer = await env.call('hq', event, openid)

      if (allowed[action]) expect(answer.ok).toBe(true)
      else {
        expect(answer.error.code).toBe('NOT_ALLOWED')
        expect(env.snapshot()).toBe(before)
      }
    }
  })

  it('adjusts points with a reason, audited, and refuses taking more than the balance', async () => {
    const { openid, memberId } = await registerMember()
    const event = {
      action: 'adjustPoints',
      memberId,
      points: 50,
      reason: '门店服务补偿',
      adjustmentNo: 'ADJ-1',
    }

    const added = await env.call('hq', event, 'o-hq-admin')
    const retried = await env.call('hq', event, 'o-hq-admin')
    const tooMuch = await env.call(
      'hq',
      { action: 'adjustPoints', memberId, points: -51, reason: '更正' },
      'o-hq-admin',
    )

    expect(added.data).toEqual({ balance: 50 })
    expect(retried).toEqual(added)
    expect(tooMuch.error.code).toBe('INSUFFICIENT_POINTS')
    const audit = env.cloud.store.find('auditLog', { memberId, action: 'adjustPoints' })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      actor: { openid: 'o-hq-admin', role: 'hq_admin' },
      detail: { points: 50, reason: '门店服务补偿' },
    })
    const points = await env.call('member', { action: 'points' }, openid)
    expect(points.data.entries[0]).toMatchObject({
      kind: 'adjust',
      delta: 50,
      reason: '门店服务补偿',
    })
  })

  it('earns by the rules HQ saves: a promotion doubles points at its store only', async () => {
    const { memberId } = await registerMember()
    const promotion = {
      promotionId: 'double-p03',
      title: '双倍积分日',
      storeIds: ['p03'],
      multiplierPercent: 200,
      startsOn: '2026-01-15',
      endsOn: '2026-01-15',
    }
    const rules = { ...defaultPointsRules, promotions: [promotion] }
    const saved = await env.call('hq', { action: 'updateRules', rules }, 'o-hq-admin')
    const read = await env.call('hq', { action: 'getRules' }, 'o-region-east')

    const atPromotion = await earn(memberId, 'p03', 'D1', 5_050)
    const elsewhere = await earn(memberId, 'p04', 'D1', 5_050)
    await env.call('hq', { action: 'updateRules', rules: defaultPointsRules }, 'o-hq-admin')

    expect(saved.ok).toBe(true)
    expect(read.data.promotions).toEqual([promotion])
    expect(atPromotion.data.pointsEarned).toBe(100)
    expect(elsewhere.data.pointsEarned).toBe(50)
  })
})

describe('tiers on the card', () => {
  it('upgrades at once and shows the progress to the next tier', async () => {
    const { openid, memberId } = await registerMember()
    await earn(memberId, 'p01', 'T1', 250_000)

    const card = await env.call('member', { action: 'card' }, openid)
    const tier = await env.call('member', { action: 'tier' }, openid)

    expect(card.data.tier).toBe('silver')
    expect(card.data.tierProgress).toMatchObject({
      tier: 'silver',
      qualifyingPoints: 2_500,
      nextTier: 'gold',
      pointsToNext: 3_500,
      multiplierPercent: 120,
    })
    expect(tier.data.tiers.map((rule: { tier: string }) => rule.tier)).toEqual([
      'regular',
      'silver',
      'gold',
      'black',
    ])
  })
})

describe('expiry on the timer', () => {
  it('expires points at midnight Shanghai at the end of the 12th month, not a second before', async () => {
    const { openid, memberId } = await registerMember()
    await earn(memberId, 'p01', 'X1', 5_000)

    await setClock('2027-01-31T15:59:59.000Z', true)
    await env.dev('trigger/pointExpiry')
    const before = await env.call('member', { action: 'card' }, openid)

    await setClock('2027-01-31T16:00:01.000Z', true)
    const fired = await env.dev('trigger/pointExpiry')
    const after = await env.call('member', { action: 'points' }, openid)

    expect(before.data).toMatchObject({ points: 50, pointsExpiringSoon: 50 })
    expect(fired.result.data.expiry.status).toBe('done')
    expect(after.data).toMatchObject({ balance: 0, lots: [] })
    expect(after.data.entries[0]).toMatchObject({
      kind: 'expiry',
      delta: -50,
      lots: [{ lotId: 'p01.X1', points: 50 }],
    })
    expect(env.cloud.store.find('auditLog', { memberId, action: 'expirePoints' })).toEqual([
      expect.objectContaining({
        actorOpenid: 'system:pointExpiry',
        fields: ['points'],
        detail: { expiredPoints: 50, expiredLots: 1 },
      }),
    ])
  })
})
