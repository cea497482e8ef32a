import seedrandom from 'seedrandom'
import { recordVerifiedPurchase } from '../../cloudfunctions/domain/counter'
import { registerMember } from '../../cloudfunctions/domain/members'
import type { MemberDoc, PointLotDoc, StaffDoc } from '../../cloudfunctions/domain/models'
import { expireDueLotsInChunks, runPointsJob } from '../../cloudfunctions/domain/point-expiry'
import { adjustPoints, refundOrder, spendVerifiedPoints } from '../../cloudfunctions/domain/points'
import type { PointEntryDoc } from '../../cloudfunctions/domain/points-ledger'
import {
  computeEarning,
  computeExpiresAt,
  defaultPointsRules,
  POINTS_RULES_ID,
} from '../../cloudfunctions/domain/points-rules'
import type { Database } from '../../cloudfunctions/domain/ports'
import { defaultSettings } from '../../cloudfunctions/domain/settings'
import type { DocumentStore } from '../../local-cloud/store'
import type { PointsRules } from '../../typings/points'
import { createSmallChain, random } from '../support/direct-chain'

const start = new Date('2026-01-15T04:00:00.000Z')
const DAY_MS = 24 * 60 * 60 * 1000
const hq: StaffDoc = {
  _id: 'o-hq',
  openid: 'o-hq',
  name: 'HQ',
  role: 'hq_admin',
  storeId: null,
  regionId: null,
  isActive: true,
}

async function memberChain(rules?: PointsRules) {
  const chain = await createSmallChain()
  if (rules) await chain.db.set('settings', { _id: POINTS_RULES_ID, rules })
  const registered = await registerMember(
    chain.db,
    {
      openid: 'o-member-1',
      unionid: null,
      phone: '+8613800138000',
      storeId: 'sA',
      name: null,
      birthday: null,
      consentVersion: defaultSettings.terms.version,
    },
    start,
    random,
  )
  if (!registered.ok) throw new Error(registered.error.code)

  return { ...chain, memberId: registered.data.memberId }
}

function purchase(db: Database, memberId: string, storeId: string, orderNo: string, fen: number) {
  return (at: Date) =>
    recordVerifiedPurchase(
      db,
      { memberId, storeId, clerkOpenid: `o-clerk-${storeId}` },
      { orderNo, amountFen: fen },
      at,
    )
}

function spend(db: Database, memberId: string, storeId: string, orderNo: string, points: number) {
  return (at: Date) =>
    spendVerifiedPoints(
      db,
      { memberId, storeId, clerkOpenid: `o-clerk-${storeId}` },
      { orderNo, points },
      at,
    )
}

/** The ledger's invariants, read straight from the store. */
function expectLedgerConsistent(store: DocumentStore, memberId: string) {
  const member = store.get('members', memberId) as unknown as MemberDoc
  const lots = store.find('pointLots', { memberId }) as unknown as PointLotDoc[]
  const entries = store.find('pointEntries', { memberId }) as unknown as PointEntryDoc[]
  const lotSum = lots.reduce((sum, lot) => sum + lot.remaining, 0)
  const entrySum = entries.reduce((sum, entry) => sum + entry.delta, 0)

  expect(member.points).toBeGreaterThanOrEqual(0)
  expect(lotSum).toBe(member.points)
  expect(entrySum).toBe(member.points)
  const open = lots.filter((lot) => lot.remaining > 0)
  expect(new Map((member.openLots ?? []).map((lot) => [lot.lotId, lot.remaining]))).toEqual(
    new Map(open.map((lot) => [lot._id, lot.remaining])),
  )
  const takenByLot = new Map<string, number>()
  for (const entry of entries.filter((each) => each.delta < 0 || each.kind === 'reversal')) {
    for (const take of entry.lots) {
      takenByLot.set(take.lotId, (takenByLot.get(take.lotId) ?? 0) + take.points)
    }
  }
  for (const lot of lots) {
    expect(lot.remaining).toBeGreaterThanOrEqual(0)
    expect(lot.points - lot.remaining).toBe(takenByLot.get(lot._id) ?? 0)
    expect(lot.openExpiresAt !== undefined).toBe(lot.remaining > 0)
  }
}

describe('the points ledger under random sequences', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'keeps balance = sum of lots = sum of entries >= 0 (seed %i)',
    async (seed) => {
      const { db, store, memberId, clerkA, clerkB } = await memberChain()
      const next = seedrandom(`ledger-${seed}`)
      const pick = (n: number) => Math.floor(next() * n)
      const clerks: Record<string, StaffDoc> = { sA: clerkA, sB: clerkB }
      const orders: Array<{ storeId: string; orderNo: string }> = []
      let at = start

      for (let step = 0; step < 120; step += 1) {
        at = new Date(at.getTime() + pick(20) * DAY_MS + pick(DAY_MS))
        const storeId = pick(2) === 0 ? 'sA' : 'sB'
        const kind = pick(10)
        if (kind < 4) {
          const orderNo = `O${step}`
          const answer = await purchase(db, memberId, storeId, orderNo, 100 + pick(30_000))(at)
          expect(answer.ok).toBe(true)
          orders.push({ storeId, orderNo })
        } else if (kind < 6) {
          const answer = await spend(db, memberId, storeId, `S${step}`, 1 + pick(100))(at)
          expect(answer.ok || answer.error.code).not.toBe('DUPLICATE_ORDER')
          if (!answer.ok) expect(answer.error.code).toBe('INSUFFICIENT_POINTS')
        } else if (kind < 8 && orders.length) {
          const order = orders[pick(orders.length)]
          const refund = { orderNo: order.orderNo, amountFen: 1 + pick(20_000), refundNo: step }
          const answer = await refundOrder(db, clerks[order.storeId], refund, at)
          if (!answer.ok) expect(answer.error.code).toBe('INVALID_INPUT')
        } else if (kind < 9) {
          const points = pick(2) === 0 ? 1 + pick(300) : -(1 + pick(300))
          const input = { memberId, points, reason: '随机调整', adjustmentNo: `ADJ${step}` }
          const answer = await adjustPoints(db, hq, input, {
            now: at,
            requestId: 'r',
            randomBytes: random,
          })
          if (!answer.ok) expect(answer.error.code).toBe('INSUFFICIENT_POINTS')
        } else {
          await expireDueLotsInChunks(db, at, {
            lotsPerChunk: 3,
            chunksPerRun: 2,
            membersPerChunk: 5,
          })
        }
        expectLedgerConsistent(store, memberId)
      }
      expect(store.count('pointEntries', { kind: 'expiry' })).toBeGreaterThan(0)
    },
  )
})

describe('spending', () => {
  it('takes from the oldest lots first and names them', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await purchase(db, memberId, 'sB', 'B1', 5_000)(new Date(start.getTime() + DAY_MS))

    const spent = await spend(
      db,
      memberId,
      'sB',
      'SP1',
      120,
    )(new Date(start.getTime() + 2 * DAY_MS))

    expect(spent).toEqual({ ok: true, data: { balance: 30 } })
    const entry = store.get('pointEntries', 'spend.sB.SP1') as unknown as PointEntryDoc
    expect(entry.lots).toEqual([
      { lotId: 'sA.A1', points: 100 },
      { lotId: 'sB.B1', points: 20 },
    ])
    expectLedgerConsistent(store, memberId)
  })

  it('answers a retried spend with the first result and refuses the number reused', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    const first = await spend(db, memberId, 'sA', 'SP1', 40)(start)
    const retry = await spend(db, memberId, 'sA', 'SP1', 40)(start)
    const other = await spend(db, memberId, 'sA', 'SP1', 41)(start)

    expect(retry).toEqual(first)
    expect(other.ok || other.error.code).toBe('DUPLICATE_ORDER')
    expect(store.get('members', memberId)).toMatchObject({ points: 60 })
  })

  it('refuses more than the balance as INSUFFICIENT_POINTS and writes nothing', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    const before = JSON.stringify([store.find('pointEntries', {}), store.find('members', {})])
    const refused = await spend(db, memberId, 'sB', 'SP1', 101)(start)

    expect(refused.ok || refused.error.code).toBe('INSUFFICIENT_POINTS')
    expect(JSON.stringify([store.find('pointEntries', {}), store.find('members', {})])).toBe(before)
  })
})

describe('refunds', () => {
  it('reverses points in proportion to a partial refund, all of them at the full refund', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 9_999)(start)

    const part = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 3_333 }, start)
    const rest = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A1', amountFen: 6_666, refundNo: 2 },
      start,
    )

    expect(part).toEqual({
      ok: true,
      data: { refundedFen: 3_333, pointsReversed: 33, shortfall: 0, balance: 66 },
    })
    expect(rest).toEqual({
      ok: true,
      data: { refundedFen: 9_999, pointsReversed: 66, shortfall: 0, balance: 0 },
    })
    expectLedgerConsistent(store, memberId)
  })

  it('after a spend takes back only down to zero and records the shortfall for the store', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await spend(db, memberId, 'sB', 'SP1', 80)(start)

    const refunded = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 10_000 }, start)

    expect(refunded).toEqual({
      ok: true,
      data: { refundedFen: 10_000, pointsReversed: 20, shortfall: 80, balance: 0 },
    })
    expect(store.get('settlements', 'shortfall.refund.sA.A1.1')).toMatchObject({
      kind: 'pointsShortfall',
      storeId: 'sA',
      points: 80,
    })
    expectLedgerConsistent(store, memberId)
  })

  it('answers a retried refund with the first result and refuses more than the order', async () => {
    const { db, store, memberId, clerkA, clerkB } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    const first = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 5_000 }, start)
    const retry = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 5_000 }, start)
    const other = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 4_000 }, start)
    const tooMuch = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A1', amountFen: 5_001, refundNo: 2 },
      start,
    )
    const elsewhere = await refundOrder(db, clerkB, { orderNo: 'A1', amountFen: 100 }, start)

    expect(retry).toEqual(first)
    expect(other.ok || other.error.code).toBe('DUPLICATE_ORDER')
    expect(tooMuch.ok || tooMuch.error.code).toBe('INVALID_INPUT')
    expect(elsewhere.ok || elsewhere.error.code).toBe('NOT_FOUND')
    expect(store.get('members', memberId)).toMatchObject({ points: 50 })
  })
})

describe('expiry', () => {
  it('expires a lot at the end of the 12th month after earning, Shanghai time', () => {
    expect(computeExpiresAt(defaultPointsRules, new Date('2026-01-15T04:00:00Z'))).toBe(
      '2027-01-31T16:00:00.000Z',
    )
    // 23:30 on 31 January in Shanghai is still January there, though UTC says the 31st too.
    expect(computeExpiresAt(defaultPointsRules, new Date('2026-01-31T15:30:00Z'))).toBe(
      '2027-01-31T16:00:00.000Z',
    )
    // 00:30 on 1 February in Shanghai is February, though UTC still says 31 January.
    expect(computeExpiresAt(defaultPointsRules, new Date('2026-01-31T16:30:00Z'))).toBe(
      '2027-02-28T16:00:00.000Z',
    )
  })

  it('runs the job in bounded chunks, resumes, and expires only points never spent', async () => {
    const { db, store, memberId } = await memberChain()
    for (let index = 0; index < 7; index += 1) {
      await purchase(db, memberId, 'sA', `A${index}`, 1_000)(start)
    }
    await spend(db, memberId, 'sA', 'SP1', 25)(start)
    const limits = { lotsPerChunk: 2, chunksPerRun: 1, membersPerChunk: 5 }
    const justBefore = new Date('2027-01-31T15:59:59Z')
    const justAfter = new Date('2027-01-31T16:00:00Z')

    const early = await expireDueLotsInChunks(db, justBefore, limits)
    expect(early).toMatchObject({ status: 'done', lotsExpired: 0 })
    expect(store.get('members', memberId)).toMatchObject({ points: 45 })

    const first = await expireDueLotsInChunks(db, justAfter, limits)
    expect(first.status).toBe('running')
    let run = first
    while (run.status === 'running') run = await expireDueLotsInChunks(db, justAfter, limits)

    expect(run.lotsExpired).toBe(5)
    expect(store.get('members', memberId)).toMatchObject({ points: 0, openLots: [] })
    expect(store.get('jobs', 'pointExpiry')).toMatchObject({ status: 'done', date: '2027-02-01' })
    expectLedgerConsistent(store, memberId)
  })

  it('never lets a member spend a due lot the job has not reached yet', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    const refused = await spend(db, memberId, 'sA', 'SP1', 10)(new Date('2027-02-01T00:00:00Z'))

    expect(refused.ok || refused.error.code).toBe('INSUFFICIENT_POINTS')
    expect(store.get('members', memberId)).toMatchObject({ points: 100 })
  })
})

describe('earning rules', () => {
  const rules: PointsRules = {
    ...defaultPointsRules,
    earning: { pointsPerYuan: 2, excludedNote: '' },
    promotions: [
      {
        promotionId: 'double-sA',
        title: '徐汇店双倍积分',
        storeIds: ['sA'],
        multiplierPercent: 200,
        startsOn: '2026-01-15',
        endsOn: '2026-01-16',
      },
    ],
  }

  it('rounds down once, after the tier and the best promotion multiply', () => {
    const base = { amountFen: 12_399, excludedFen: 2_000, tier: 'gold' as const }
    const at = new Date('2026-01-15T04:00:00Z')

    // 103 whole yuan × 2 × 1.5 (gold) × 2 (promotion) = 618
    expect(computeEarning(rules, { ...base, storeId: 'sA', at }).points).toBe(618)
    expect(computeEarning(rules, { ...base, storeId: 'sB', at }).points).toBe(309)
    const afterPromotion = new Date('2026-01-16T16:00:00Z')
    expect(computeEarning(rules, { ...base, storeId: 'sA', at: afterPromotion }).points).toBe(309)
  })
})

describe('tiers', () => {
  it('upgrades at once and goes down only at the yearly review', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 250_000)(start)
    expect(store.get('members', memberId)).toMatchObject({ tier: 'silver' })

    // Spending does not cost the tier, and neither does time before the review date.
    await spend(db, memberId, 'sA', 'SP1', 2_500)(start)
    await runPointsJob(db, new Date('2026-12-31T15:00:00Z'))
    expect(store.get('members', memberId)).toMatchObject({ tier: 'silver' })

    // The review of 2027: the 2026-01 purchase has left the rolling window.
    const report = await runPointsJob(db, new Date('2027-01-31T16:10:00Z'))
    expect(report.tierReview).toEqual({ status: 'done', membersDowngraded: 1 })
    expect(store.get('members', memberId)).toMatchObject({ tier: 'regular' })
  })

  it('keeps the tier at the review while the rolling window still holds enough', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 700_000)(new Date('2026-06-01T04:00:00Z'))
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold' })

    await runPointsJob(db, new Date('2027-01-01T00:00:00Z'))

    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold' })
  })
})
