import { randomBytes } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import type { CouponSettlementDoc } from '../../cloudfunctions/domain/coupon-redemption'
import { registerMember } from '../../cloudfunctions/domain/members'
import type { StaffDoc } from '../../cloudfunctions/domain/models'
import type { PointsShortfallDoc } from '../../cloudfunctions/domain/points'
import type { PointEntryDoc } from '../../cloudfunctions/domain/points-ledger'
import {
  loadSigningKey,
  signVisitToken,
  VISIT_TOKEN_TTL_MS,
} from '../../cloudfunctions/domain/visit-tokens'
import type { SettlementReport } from '../../typings/coupons'
import { demoStores, regionManager, startTestCloud, type TestCloud } from '../support/test-cloud'

/**
 * The monthly settlement summed by the database: a month of thousands of lines across forty
 * stores, written as the domain writes them, must settle to what the raw records add up to, for
 * the chain, one store and one region; and a region manager reads their region only.
 */
const HQ = 'o-hq-admin'
const MONTH = '2026-02'
// The Shanghai month: 00:00 on 1 February to 00:00 on 1 March, +08:00.
const MONTH_FROM = Date.parse('2026-01-31T16:00:00.000Z')
const MONTH_TO = Date.parse('2026-02-28T16:00:00.000Z')
const EAST_STORES = Array.from({ length: 24 }, (_, i) => `e${String(i + 1).padStart(2, '0')}`)
const WEST_STORES = Array.from({ length: 16 }, (_, i) => `w${String(i + 1).padStart(2, '0')}`)
const STORES = [...EAST_STORES, ...WEST_STORES]
let env: TestCloud

const clerkOf = (storeId: string) => `o-clerk-${storeId}`
const nameOf = (storeId: string) =>
  demoStores.find((store) => store._id === storeId)?.name ?? `鲜邻超市·${storeId}店`

function staff(openid: string, role: StaffDoc['role'], storeId: string | null): StaffDoc {
  const regionId = storeId?.startsWith('w') ? 'west' : 'east'

  return { _id: openid, openid, name: openid, role, storeId, regionId, isActive: true }
}

beforeAll(async () => {
  env = await startTestCloud()
  await upsertRegion(env.db, { _id: 'west', name: '华西' })
  for (const storeId of STORES) {
    await upsertStore(env.db, {
      _id: storeId,
      name: `鲜邻超市·${storeId}店`,
      regionId: storeId.startsWith('w') ? 'west' : 'east',
      city: '上海市',
      cityCode: '3101',
      district: '徐汇区',
      districtCode: '310104',
      isActive: true,
    })
    await upsertStaff(env.db, staff(clerkOf(storeId), 'clerk', storeId))
  }
  await upsertStaff(env.db, staff(HQ, 'hq_admin', null))
  await env.cloud.store.withBulkLoad(async () => seedMonth(20_260_201))
})

afterAll(async () => {
  await env.close()
})

/** A small seeded generator, so that a failure repeats. */
function randomFrom(seed: number) {
  let state = seed >>> 0

  return (below: number) => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)

    return (((mixed ^ (mixed >>> 14)) >>> 0) % below) | 0
  }
}

interface Records {
  coupons: CouponSettlementDoc[]
  shortfalls: PointsShortfallDoc[]
  entries: PointEntryDoc[]
}

let records: Records

/**
 * Coupon lines of the month and of its neighbours (which must not count), redemptions and
 * reinstatements, borne by stores and by HQ; earns, reversals, spends at stores and exchanges
 * (no store) taking lots of several stores and of HQ; expiries and adjustments, which move no
 * store's figures; shortfalls. Times fall on both sides of each month boundary.
 */
function seedMonth(seed: number) {
  const pick = randomFrom(seed)
  const store = () => STORES[pick(STORES.length)]
  const storeOrHq = () => (pick(8) === 0 ? null : store())
  const at = () => {
    const roll = pick(20)
    if (roll === 0) return new Date(MONTH_FROM - 1 - pick(3_600_000)).toISOString()
    if (roll === 1) return new Date(MONTH_TO + pick(3_600_000)).toISOString()
    if (roll === 2) return new Date(MONTH_FROM).toISOString()

    return new Date(MONTH_FROM + pick(MONTH_TO - MONTH_FROM)).toISOString()
  }
  records = { coupons: [], shortfalls: [], entries: [] }

  for (let i = 0; i < 6_000; i += 1) {
    const isReinstated = pick(6) === 0
    const amountFen = 100 + pick(3_000)
    const month = pick(10) === 0 ? '2026-01' : MONTH
    records.coupons.push({
      _id: `coupon.seed.${i}`,
      kind: isReinstated ? 'couponReinstated' : 'couponRedeemed',
      couponId: `C${i}`,
      templateId: 'T1',
      memberId: `M${pick(500)}`,
      orderNo: `O${i}`,
      servingStoreId: store(),
      homeStoreId: store(),
      costBearer: 'issuer',
      bearerStoreId: storeOrHq(),
      amountFen: isReinstated ? -amountFen : amountFen,
      orderAmountFen: null,
      month,
      at: `${month}-10T04:00:00.000Z`,
      clerkOpenid: 'o-seed',
    })
  }

  for (let i = 0; i < 300; i += 1) {
    records.shortfalls.push({
      _id: `shortfall.seed.${i}`,
      kind: 'pointsShortfall',
      storeId: store(),
      memberId: `M${pick(500)}`,
      orderNo: `S${i}`,
      points: 1 + pick(200),
      at: at(),
    })
  }

  for (let i = 0; i < 6_000; i += 1) {
    const roll = pick(10)
    const entry = (fields: Partial<PointEntryDoc>): PointEntryDoc => ({
      _id: `entry.seed.${i}`,
      memberId: `M${pick(500)}`,
      kind: 'earn',
      delta: 0,
      storeId: null,
      orderNo: `P${i}`,
      lots: [],
      balanceAfter: 0,
      at: at(),
      ...fields,
    })
    if (roll < 4) {
      const points = 1 + pick(500)
      records.entries.push(
        entry({
          kind: 'earn',
          delta: points,
          storeId: store(),
          lots: [{ lotId: `L${i}`, points }],
        }),
      )
    } else if (roll < 5) {
      const points = pick(300)
      const lots = points ? [{ lotId: `L${pick(i)}`, points, storeId: store() }] : []
      records.entries.push(entry({ kind: 'reversal', delta: -points, storeId: store(), lots }))
    } else if (roll < 8) {
      const lots = Array.from({ length: 1 + pick(4) }, () => ({
        lotId: `L${pick(i)}`,
        points: 1 + pick(100),
        storeId: storeOrHq(),
      }))
      const delta = -lots.reduce((sum, take) => sum + take.points, 0)
      // An exchange for a coupon spends at no store.
      records.entries.push(entry({ kind: 'spend', delta, storeId: storeOrHq(), lots }))
    } else if (roll < 9) {
      const lots = [{ lotId: `L${pick(i)}`, points: 1 + pick(100) }]
      records.entries.push(entry({ kind: 'expiry', delta: -lots[0].points, lots }))
    } else {
      const points = 1 + pick(100)
      records.entries.push(
        entry({ kind: 'adjust', delta: points, lots: [{ lotId: `A${i}`, points }] }),
      )
    }
  }

  env.cloud.store.insert('settlements', [...records.coupons, ...records.shortfalls])
  env.cloud.store.insert('pointEntries', records.entries)
}

/** The settlement computed line by line from the raw records, as the rules say. */
function settleByHand(storeIds: string[] | null, storeId: string | null): SettlementReport {
  const isReached = (party: string) => !storeIds || storeIds.includes(party)
  const rows = new Map<string, SettlementReport['stores'][number]>()
  const rowOf = (id: string) => {
    if (!rows.has(id)) {
      rows.set(id, {
        storeId: id,
        name: nameOf(id),
        redeemedForOthersFen: 0,
        redeemedByOthersFen: 0,
        redemptions: 0,
        pointsCreated: 0,
        pointsConsumed: 0,
        pointsShortfall: 0,
      })
    }

    return rows.get(id)!
  }
  const owed = new Map<string, { couponFen: number; points: number }>()
  const owe = (from: string, to: string, couponFen: number, points: number) => {
    if (from === to) return

    const current = owed.get(`${from}|${to}`) ?? { couponFen: 0, points: 0 }
    owed.set(`${from}|${to}`, {
      couponFen: current.couponFen + couponFen,
      points: current.points + points,
    })
  }
  const totals = { redemptions: 0, couponFen: 0 }
  const inMonth = (at: string) => Date.parse(at) >= MONTH_FROM && Date.parse(at) < MONTH_TO

  for (const line of records.coupons.filter((coupon) => coupon.month === MONTH)) {
    const bearer = line.bearerStoreId ?? 'hq'
    const serving = line.servingStoreId
    if (!isReached(bearer) && !isReached(serving)) continue

    const count = line.kind === 'couponRedeemed' ? 1 : -1
    rowOf(serving).redemptions += count
    if (bearer !== serving) {
      rowOf(serving).redeemedForOthersFen += line.amountFen
      if (bearer !== 'hq') rowOf(bearer).redeemedByOthersFen += line.amountFen
    }
    owe(bearer, serving, line.amountFen, 0)
    totals.redemptions += count
    totals.couponFen += line.amountFen
  }
  for (const line of records.shortfalls.filter((shortfall) => inMonth(shortfall.at))) {
    if (isReached(line.storeId)) rowOf(line.storeId).pointsShortfall += line.points
  }
  for (const entry of records.entries.filter((written) => inMonth(written.at))) {
    const party = entry.storeId ?? 'hq'
    const isMine = party !== 'hq' && isReached(party)
    if ((entry.kind === 'earn' || entry.kind === 'reversal') && isMine) {
      rowOf(party).pointsCreated += entry.delta
    }
    if (entry.kind !== 'spend') continue

    if (isMine) rowOf(party).pointsConsumed -= entry.delta
    for (const take of entry.lots) owe(take.storeId ?? 'hq', party, 0, take.points)
  }

  const pairs: SettlementReport['pairs'] = []
  for (const [key, ab] of owed) {
    const [a, b] = key.split('|')
    if (a > b && owed.has(`${b}|${a}`)) continue

    const ba = owed.get(`${b}|${a}`) ?? { couponFen: 0, points: 0 }
    const couponFen = ab.couponFen - ba.couponFen
    const points = ab.points - ba.points
    if (couponFen === 0 && points === 0) continue
    if (!isReached(a) && !isReached(b)) continue

    const isForward = couponFen > 0 || (couponFen === 0 && points > 0)
    pairs.push(
      isForward
        ? { from: a, to: b, couponFen, points }
        : { from: b, to: a, couponFen: negate(couponFen), points: negate(points) },
    )
  }

  return {
    month: MONTH,
    storeId,
    stores: [...rows.values()]
      .filter((row) => isReached(row.storeId))
      .sort((x, y) => x.storeId.localeCompare(y.storeId)),
    pairs: sortPairs(pairs),
    totals,
  }
}

/** Without the minus zero, which JSON does not carry. */
const negate = (value: number) => (value === 0 ? 0 : -value)

const sortPairs = (pairs: SettlementReport['pairs']) =>
  [...pairs].sort((x, y) => `${x.from}|${x.to}`.localeCompare(`${y.from}|${y.to}`))

const codeOf = (answer: any) => (answer.ok ? 'OK' : answer.error.code)

describe('a month of many lines across many stores', () => {
  it('settles the chain to the sums of the raw records, over more groups than a page', async () => {
    const answer = await env.call('hq', { action: 'settlement', month: MONTH }, HQ)

    const expected = settleByHand(null, null)
    expect(answer.ok).toBe(true)
    expect({ ...answer.data, pairs: sortPairs(answer.data.pairs) }).toEqual(expected)
    expect(expected.stores).toHaveLength(STORES.length)
    expect(expected.totals.redemptions).toBeGreaterThan(3_000)
    // More coupon groups than one aggregation answers, so the paging is exercised.
    const groups = new Set(
      records.coupons
        .filter((line) => line.month === MONTH)
        .map((line) => `${line.servingStoreId}|${line.bearerStoreId}|${line.kind}`),
    )
    expect(groups.size).toBeGreaterThan(1_000)
  })

  it('settles one store to the sums of the lines it served, bears, created or consumed', async () => {
    const answer = await env.call('hq', { action: 'settlement', month: MONTH, storeId: 'w03' }, HQ)

    expect({ ...answer.data, pairs: sortPairs(answer.data.pairs) }).toEqual(
      settleByHand(['w03'], 'w03'),
    )
  })

  it("gives a region manager their region's stores and the pairs one of them is in", async () => {
    const east = ['sA', 'sB', ...EAST_STORES]

    const answer = await env.call(
      'hq',
      { action: 'settlement', month: MONTH },
      regionManager.openid,
    )

    expect({ ...answer.data, pairs: sortPairs(answer.data.pairs) }).toEqual(
      settleByHand(east, null),
    )
    expect(answer.data.stores.every((row: any) => east.includes(row.storeId))).toBe(true)
    expect(
      answer.data.pairs.some((pair: any) => !east.includes(pair.from) && !east.includes(pair.to)),
    ).toBe(false)
  })
})

describe("a region manager's settlement", () => {
  it('reads one store of their region', async () => {
    const answer = await env.call(
      'hq',
      { action: 'settlement', month: MONTH, storeId: 'e05' },
      regionManager.openid,
    )

    expect(answer.data.storeId).toBe('e05')
    expect(answer.data.stores.map((row: any) => row.storeId)).toEqual(['e05'])
  })

  it.each([
    ['a store of another region', 'w01'],
    ['a store that does not exist', 'nowhere'],
  ])('refuses %s as outside their scope', async (_case, storeId) => {
    const answer = await env.call(
      'hq',
      { action: 'settlement', month: MONTH, storeId },
      regionManager.openid,
    )

    expect(codeOf(answer)).toBe('NOT_ALLOWED')
  })

  it('tells HQ that a store does not exist', async () => {
    const answer = await env.call(
      'hq',
      { action: 'settlement', month: MONTH, storeId: 'nowhere' },
      HQ,
    )

    expect(codeOf(answer)).toBe('NOT_FOUND')
  })

  it('exports the region as CSV named after it, with the same figures', async () => {
    const json = await env.call('hq', { action: 'settlement', month: MONTH }, regionManager.openid)

    const exported = await env.call(
      'hq',
      { action: 'settlement', month: MONTH, format: 'csv' },
      regionManager.openid,
    )

    const rows = parse(exported.data.csv, { columns: true, bom: true }) as Array<
      Record<string, string>
    >
    expect(exported.data.filename).toBe(`settlement-${MONTH}-region-east.csv`)
    expect(rows.filter((row) => row.section === 'store').map((row) => row.party)).toEqual(
      json.data.stores.map((row: any) => row.storeId),
    )
    expect(rows.find((row) => row.party === 'e05')?.store_name).toBe('鲜邻超市·e05店')
    expect(rows.filter((row) => row.section === 'pair')).toHaveLength(json.data.pairs.length)
  })
})

describe('spends carry the store of each lot they take', () => {
  it('names the earning store in the spend entry and owes the spending store from it', async () => {
    // Noon in Shanghai on 12 May 2026, a month the seeded records do not touch.
    const now = '2026-05-12T04:00:00.000Z'
    await env.dev('clock', { now, freeze: true })
    const registered = await registerMember(
      env.db,
      {
        openid: 'o-settlement-member',
        unionid: null,
        phone: '+8613912340000',
        storeId: 'e01',
        name: null,
        birthday: null,
        consentVersion: '2026-11',
      },
      new Date(now),
      (length) => new Uint8Array(randomBytes(length)),
    )
    if (!registered.ok) throw new Error(registered.error.message)
    const { memberId } = registered.data
    const keyHex = await loadSigningKey(env.db, (length) => new Uint8Array(randomBytes(length)))
    const token = (storeId: string) =>
      signVisitToken(keyHex, {
        memberId,
        storeId,
        clerkOpenid: clerkOf(storeId),
        expiresAtMs: Date.parse(now) + VISIT_TOKEN_TTL_MS,
      })
    const earns = [
      ['e01', 'SL-1', 3_000],
      ['w02', 'SL-2', 5_000],
    ] as const
    for (const [storeId, orderNo, amountFen] of earns) {
      const event = { action: 'recordPurchase', visitToken: token(storeId), orderNo, amountFen }
      await env.call('staff', event, clerkOf(storeId))
    }
    const spend = { action: 'spendPoints', visitToken: token('e09'), points: 50, orderNo: 'SL-3' }

    const spent = await env.call('staff', spend, clerkOf('e09'))
    const report = await env.call('hq', { action: 'settlement', month: '2026-05' }, HQ)
    await env.dev('clock', { now: null })

    expect(codeOf(spent)).toBe('OK')
    const entry = await env.db.get<PointEntryDoc>('pointEntries', 'spend.e09.SL-3')
    expect(entry!.lots).toEqual([
      { lotId: 'e01.SL-1', points: 30, storeId: 'e01' },
      { lotId: 'w02.SL-2', points: 20, storeId: 'w02' },
    ])
    expect(sortPairs(report.data.pairs)).toEqual([
      { from: 'e01', to: 'e09', couponFen: 0, points: 30 },
      { from: 'w02', to: 'e09', couponFen: 0, points: 20 },
    ])
  })
})
