import { parse } from 'csv-parse/sync'
import seedrandom from 'seedrandom'
import { toAuditActor } from '../../cloudfunctions/domain/audit'
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
import type { Database, Doc } from '../../cloudfunctions/domain/ports'
import { buildSettlement, formatSettlementCsv } from '../../cloudfunctions/domain/settlement'
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
const jobAudit = { requestId: 'r-job', randomBytes: random }

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

/** The audit entries that record a change of the member's points. */
function pointsAudit(store: DocumentStore, memberId: string) {
  return (
    store.find('auditLog', { memberId }) as unknown as Array<Doc & { fields: string[] }>
  ).filter((entry) => entry.fields.includes('points'))
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
          const refund = {
            orderNo: order.orderNo,
            amountFen: 1 + pick(20_000),
            refundNo: `R${step}`,
          }
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
          await expireDueLotsInChunks(db, at, jobAudit, {
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
  it('takes from the oldest lots first and names them with their stores', async () => {
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
      { lotId: 'sA.A1', points: 100, storeId: 'sA' },
      { lotId: 'sB.B1', points: 20, storeId: 'sB' },
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
      { orderNo: 'A1', amountFen: 6_666, refundNo: 'RA1-2' },
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
    expect(store.get('settlements', 'shortfall.refund.sA.A1')).toMatchObject({
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
      { orderNo: 'A1', amountFen: 5_001, refundNo: 'RA1-2' },
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

describe('refunds numbered by 退款单号', () => {
  it('takes points for each of two equal partial refunds with their own 退款单号', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    const refund = (refundNo: string, amountFen = 3_000) =>
      refundOrder(db, clerkA, { orderNo: 'A1', amountFen, refundNo }, start)

    const first = await refund('POS-R1')
    const second = await refund('POS-R2')
    const retry = await refund('POS-R2')
    const reused = await refund('POS-R2', 1_000)

    expect(first).toEqual({
      ok: true,
      data: { refundedFen: 3_000, pointsReversed: 30, shortfall: 0, balance: 70 },
    })
    expect(second).toEqual({
      ok: true,
      data: { refundedFen: 6_000, pointsReversed: 30, shortfall: 0, balance: 40 },
    })
    expect(retry).toEqual(second)
    expect(reused.ok || reused.error.code).toBe('DUPLICATE_ORDER')
    expect(store.get('members', memberId)).toMatchObject({ points: 40 })
    expectLedgerConsistent(store, memberId)
  })

  it('answers a refund without 退款单号 as the first refund, or asks for its number', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    const first = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A1', amountFen: 3_000, refundNo: 'POS-R1' },
      start,
    )

    const sameAmount = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 3_000 }, start)
    const otherAmount = await refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 2_000 }, start)

    expect(sameAmount).toEqual(first)
    expect(otherAmount).toEqual({
      ok: false,
      error: { code: 'DUPLICATE_ORDER', message: expect.stringContaining('退款单号') },
    })
    expect(store.get('members', memberId)).toMatchObject({ points: 70 })
  })
})

describe('refunds of an order whose points expired', () => {
  const afterExpiry = new Date('2027-02-01T04:00:00Z')

  it('takes back what the order kept from expiry, from other lots, not the whole order', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await spend(db, memberId, 'sA', 'SP1', 60)(start)
    await purchase(db, memberId, 'sB', 'B1', 20_000)(new Date('2026-06-01T04:00:00Z'))
    await expireDueLotsInChunks(db, afterExpiry, jobAudit)
    expect(store.get('pointLots', 'sA.A1')).toMatchObject({ remaining: 0, expiredPoints: 40 })

    const refunded = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A1', amountFen: 10_000 },
      afterExpiry,
    )

    expect(refunded).toEqual({
      ok: true,
      data: { refundedFen: 10_000, pointsReversed: 60, shortfall: 0, balance: 140 },
    })
    expectLedgerConsistent(store, memberId)
  })

  it('adds partial refunds up to the points earned less those expired', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await spend(db, memberId, 'sA', 'SP1', 60)(start)
    await purchase(db, memberId, 'sB', 'B1', 20_000)(new Date('2026-06-01T04:00:00Z'))
    const refund = (refundNo: string) =>
      refundOrder(db, clerkA, { orderNo: 'A1', amountFen: 5_000, refundNo }, afterExpiry)

    // No job has run: the first refund expires the order's lot itself.
    const half = await refund('POS-R1')
    const rest = await refund('POS-R2')

    expect(half.ok && half.data).toMatchObject({ pointsReversed: 10, shortfall: 0 })
    expect(rest.ok && rest.data).toMatchObject({ pointsReversed: 50, shortfall: 0, balance: 140 })
    expect(store.get('pointLots', 'sA.A1')).toMatchObject({ expiredPoints: 40 })
    expect(store.get('visits', 'sA.A1')).toMatchObject({
      pointsReversed: 60,
      qualifyingReversed: 100,
    })
    expectLedgerConsistent(store, memberId)
  })

  it('records as shortfall only what was spent, not what expired', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await spend(db, memberId, 'sB', 'SP1', 60)(start)
    await expireDueLotsInChunks(db, afterExpiry, jobAudit)

    const refunded = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A1', amountFen: 10_000 },
      afterExpiry,
    )

    expect(refunded).toEqual({
      ok: true,
      data: { refundedFen: 10_000, pointsReversed: 0, shortfall: 60, balance: 0 },
    })
    expect(store.get('settlements', 'shortfall.refund.sA.A1')).toMatchObject({ points: 60 })
    expectLedgerConsistent(store, memberId)
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

    const early = await expireDueLotsInChunks(db, justBefore, jobAudit, limits)
    expect(early).toMatchObject({ status: 'done', lotsExpired: 0 })
    expect(store.get('members', memberId)).toMatchObject({ points: 45 })

    const first = await expireDueLotsInChunks(db, justAfter, jobAudit, limits)
    expect(first.status).toBe('running')
    let run = first
    while (run.status === 'running') {
      run = await expireDueLotsInChunks(db, justAfter, jobAudit, limits)
    }

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

describe('the expiry walk', () => {
  const afterBoth = new Date('2027-03-02T04:00:00Z')

  /** The real store behind a port that counts the documents its queries answer. */
  function countingReads(db: Database) {
    const reads = { lots: 0 }
    const counted: Database = {
      ...db,
      async find<T extends Doc>(...args: Parameters<Database['find']>) {
        const found = await db.find<T>(...args)
        if (args[0] === 'pointLots') reads.lots += found.length

        return found
      },
    }

    return { counted, reads }
  }

  it("expires two months' backlog across members, reading each due lot at most once", async () => {
    const { db, store } = await createSmallChain()
    const memberIds: string[] = []
    for (let index = 0; index < 5; index += 1) {
      const registration = {
        openid: `o-walk-${index}`,
        unionid: null,
        phone: `+861380013900${index}`,
        storeId: 'sA',
        name: null,
        birthday: null,
        consentVersion: defaultSettings.terms.version,
      }
      const registered = await registerMember(db, registration, start, random)
      if (!registered.ok) throw new Error(registered.error.code)
      memberIds.push(registered.data.memberId)
      await purchase(db, registered.data.memberId, 'sA', `W${index}-1`, 1_000)(start)
      await purchase(
        db,
        registered.data.memberId,
        'sB',
        `W${index}-2`,
        2_000,
      )(new Date('2026-02-10T04:00:00Z'))
    }
    const { counted, reads } = countingReads(db)
    const limits = { lotsPerChunk: 3, chunksPerRun: 1, membersPerChunk: 5 }

    let run = await expireDueLotsInChunks(counted, afterBoth, jobAudit, limits)
    for (let runs = 1; run.status === 'running' && runs < 20; runs += 1) {
      run = await expireDueLotsInChunks(counted, afterBoth, jobAudit, limits)
    }

    expect(run).toMatchObject({ status: 'done', lotsExpired: 10, membersTouched: 5 })
    expect(reads.lots).toBeLessThanOrEqual(10)
    for (const memberId of memberIds) {
      expect(store.get('members', memberId)).toMatchObject({ points: 0, openLots: [] })
      expectLedgerConsistent(store, memberId)
    }
    expect(store.get('jobs', 'pointExpiry')).toMatchObject({
      status: 'done',
      cursor: { expiresAt: expect.any(String), lotId: expect.any(String) },
    })
  })

  it("finishes the day when due lots stay open after their member's turn", async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    // Lots whose own documents say due while the member's summary holds them as not yet due:
    // the member's turn leaves them open, and a walk that found them again would never end.
    const due = computeExpiresAt(defaultPointsRules, start) as string
    const member = store.get('members', memberId) as unknown as MemberDoc
    const stuck = ['sA.S1', 'sA.S2', 'sA.S3'].map((lotId) => ({
      _id: lotId,
      memberId,
      storeId: 'sA',
      orderNo: lotId,
      kind: 'purchase',
      amountFen: 1_000,
      points: 10,
      remaining: 10,
      earnedAt: start.toISOString(),
      expiresAt: due,
      openExpiresAt: due,
    }))
    store.insert('pointLots', stuck)
    const later = { storeId: 'sA', remaining: 10, earnedAt: start.toISOString() }
    await db.update('members', memberId, {
      set: {
        points: 130,
        openLots: [
          ...member.openLots!,
          ...stuck.map((lot) => ({ ...later, lotId: lot._id, expiresAt: '2099-01-01' })),
        ],
      },
    })
    const { counted, reads } = countingReads(db)
    const limits = { lotsPerChunk: 2, chunksPerRun: 1, membersPerChunk: 5 }
    const afterExpiry = new Date('2027-02-01T04:00:00Z')

    let run = await expireDueLotsInChunks(counted, afterExpiry, jobAudit, limits)
    let runs = 1
    for (; run.status === 'running' && runs < 20; runs += 1) {
      run = await expireDueLotsInChunks(counted, afterExpiry, jobAudit, limits)
    }

    expect(run).toMatchObject({ status: 'done', lotsExpired: 1 })
    expect(runs).toBeLessThanOrEqual(3)
    expect(reads.lots).toBe(4)
    expect(store.get('pointLots', 'sA.A1')).toMatchObject({ remaining: 0 })
  })
})

describe('the audit of expiry', () => {
  const afterExpiry = new Date('2027-02-01T04:00:00Z')

  it("audits the job's expiry once per member, as the system's", async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await purchase(db, memberId, 'sB', 'B1', 5_000)(start)

    await expireDueLotsInChunks(db, afterExpiry, jobAudit)
    await expireDueLotsInChunks(db, new Date('2027-02-02T04:00:00Z'), jobAudit)

    expect(pointsAudit(store, memberId)).toEqual([
      expect.objectContaining({
        actor: { openid: 'system:pointExpiry', role: 'system', storeId: null },
        action: 'expirePoints',
        requestId: 'r-job',
        detail: { expiredPoints: 150, expiredLots: 2 },
      }),
    ])
  })

  const claimsA = (memberId: string) => ({ memberId, storeId: 'sA', clerkOpenid: 'o-clerk-sA' })
  const changes: Array<[string, (db: Database, memberId: string, clerk: StaffDoc) => unknown]> = [
    [
      'recordPurchase',
      (db, memberId, clerk) =>
        recordVerifiedPurchase(
          db,
          claimsA(memberId),
          { orderNo: 'A9', amountFen: 1_000 },
          afterExpiry,
          { actor: toAuditActor(clerk), requestId: 'r-change', randomBytes: random },
        ),
    ],
    [
      'spendPoints',
      (db, memberId, clerk) =>
        spendVerifiedPoints(db, claimsA(memberId), { orderNo: 'SP1', points: 10 }, afterExpiry, {
          actor: toAuditActor(clerk),
          requestId: 'r-change',
          randomBytes: random,
        }),
    ],
    [
      'refund',
      (db, _memberId, clerk) =>
        refundOrder(db, clerk, { orderNo: 'A2', amountFen: 5_000 }, afterExpiry, {
          actor: toAuditActor(clerk),
          requestId: 'r-change',
          randomBytes: random,
        }),
    ],
    [
      'adjustPoints',
      (db, memberId) =>
        adjustPoints(
          db,
          hq,
          { memberId, points: 5, reason: '补偿', adjustmentNo: 'ADJ1' },
          {
            now: afterExpiry,
            requestId: 'r-change',
            randomBytes: random,
          },
        ),
    ],
  ]

  it.each(changes)(
    'names an expiry inside %s in that change’s one entry, and the job adds none',
    async (action, change) => {
      const { db, store, memberId, clerkA } = await memberChain()
      await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
      await purchase(db, memberId, 'sA', 'A2', 5_000)(new Date('2026-06-01T04:00:00Z'))

      await change(db, memberId, clerkA)
      await expireDueLotsInChunks(db, afterExpiry, jobAudit)

      expect(store.count('pointEntries', { memberId, kind: 'expiry' })).toBe(1)
      expect(pointsAudit(store, memberId)).toEqual([
        expect.objectContaining({
          action,
          requestId: 'r-change',
          detail: expect.objectContaining({ expiredPoints: 100, expiredLots: 1 }),
        }),
      ])
    },
  )
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
    await runPointsJob(db, new Date('2026-12-31T15:00:00Z'), jobAudit)
    expect(store.get('members', memberId)).toMatchObject({ tier: 'silver' })

    // The review of 2027: the 2026-01 purchase has left the rolling window.
    const report = await runPointsJob(db, new Date('2027-01-31T16:10:00Z'), jobAudit)
    expect(report.tierReview).toEqual({ status: 'done', membersDowngraded: 1 })
    expect(store.get('members', memberId)).toMatchObject({ tier: 'regular' })
  })

  it('keeps the tier at the review while the rolling window still holds enough', async () => {
    const { db, store, memberId } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 700_000)(new Date('2026-06-01T04:00:00Z'))
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold' })

    await runPointsJob(db, new Date('2027-01-01T00:00:00Z'), jobAudit)

    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold' })
  })

  it('undoes an upgrade the refunded purchase paid for', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 250_000)(start)
    await purchase(db, memberId, 'sA', 'A2', 400_000)(start)
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold' })
    const refund = (amountFen: number, refundNo: string) =>
      refundOrder(db, clerkA, { orderNo: 'A2', amountFen, refundNo }, start)

    // 2,500 + 4,800 qualifying points; a tenth of A2 back still leaves 6,820, enough for gold.
    await refund(40_000, 'POS-R1')
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold' })

    await refund(360_000, 'POS-R2')
    expect(store.get('members', memberId)).toMatchObject({ tier: 'silver' })
  })

  it('keeps through a refund the tier the yearly review kept', async () => {
    const { db, store, memberId, clerkA } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 700_000)(new Date('2026-06-01T04:00:00Z'))
    await runPointsJob(db, new Date('2027-01-01T00:00:00Z'), jobAudit)
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold', tierKept: 'gold' })

    const refunded = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A1', amountFen: 700_000 },
      new Date('2027-01-02T04:00:00Z'),
    )

    expect(refunded.ok).toBe(true)
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold', points: 0 })
  })

  it('lowers a later upgrade to the kept tier, though the window has moved on', async () => {
    const { db, store, memberId, clerkA } = await memberChain({
      ...defaultPointsRules,
      tierReviewDate: '03-01',
    })
    await purchase(db, memberId, 'sA', 'A1', 500_000)(new Date('2026-01-20T04:00:00Z'))
    await runPointsJob(db, new Date('2026-03-01T04:00:00Z'), jobAudit)
    await purchase(db, memberId, 'sA', 'A2', 150_000)(new Date('2026-04-10T04:00:00Z'))
    expect(store.get('members', memberId)).toMatchObject({ tier: 'gold', tierKept: 'silver' })

    // A1's 5,000 points have left the window: A2's 1,800 alone reach no tier, but the review
    // of 2026 kept silver, and only the next review may take it.
    const refunded = await refundOrder(
      db,
      clerkA,
      { orderNo: 'A2', amountFen: 150_000 },
      new Date('2027-01-15T04:00:00Z'),
    )

    expect(refunded.ok).toBe(true)
    expect(store.get('members', memberId)).toMatchObject({ tier: 'silver' })
  })
})

describe('the settlement of refund shortfalls', () => {
  it("counts each store's shortfall lines in its row and in the CSV", async () => {
    const { db, store, memberId, clerkA, clerkB } = await memberChain()
    await purchase(db, memberId, 'sA', 'A1', 10_000)(start)
    await purchase(db, memberId, 'sB', 'B1', 5_000)(start)
    await purchase(db, memberId, 'sB', 'B2', 5_000)(start)
    await spend(db, memberId, 'sB', 'SP1', 200)(start)
    const refund = (clerk: StaffDoc, orderNo: string, amountFen: number, refundNo: string) =>
      refundOrder(db, clerk, { orderNo, amountFen, refundNo }, start)
    await refund(clerkA, 'A1', 4_000, 'RA-1')
    await refund(clerkA, 'A1', 6_000, 'RA-2')
    await refund(clerkB, 'B1', 5_000, 'RB-1')
    // A month later: another month's settlement.
    await refundOrder(
      db,
      clerkB,
      { orderNo: 'B2', amountFen: 5_000 },
      new Date('2026-02-15T04:00:00Z'),
    )

    const report = await buildSettlement(db, '2026-01', null)
    const ofStoreB = await buildSettlement(db, '2026-01', 'sB')
    const csvRows = parse(formatSettlementCsv(report), { columns: true, bom: true }) as Array<
      Record<string, string>
    >

    const lines = store.find('settlements', { kind: 'pointsShortfall' }) as unknown as Array<
      Doc & { storeId: string; points: number; at: string }
    >
    const linesOf = (storeId: string) =>
      lines
        .filter((line) => line.storeId === storeId && line.at < '2026-01-31T16:00:00.000Z')
        .reduce((sum, line) => sum + line.points, 0)
    expect(lines).toHaveLength(4)
    expect(report.stores.map((row) => [row.storeId, row.pointsShortfall])).toEqual([
      ['sA', linesOf('sA')],
      ['sB', linesOf('sB')],
    ])
    expect([linesOf('sA'), linesOf('sB')]).toEqual([100, 50])
    expect(ofStoreB.stores).toEqual([
      expect.objectContaining({ storeId: 'sB', pointsShortfall: 50 }),
    ])
    expect(
      csvRows.filter((row) => row.section === 'store').map((row) => Number(row.points_shortfall)),
    ).toEqual([100, 50])
  })
})
