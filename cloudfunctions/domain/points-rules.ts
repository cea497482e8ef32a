import type { Tier } from '../../typings/common'
import { pointsRulesSchema, type PointsRules, type TierRule } from '../../typings/points'
import { appendAudit } from './audit'
import type { RandomBytes } from './members'
import type { StaffDoc } from './models'
import type { Database, Doc } from './ports'
import { refuse, succeed, type Result } from './result'
import { defaultSettings } from './settings'

/**
 * HQ's points rules: how a purchase earns, when points expire, what each tier needs and gives,
 * and the store promotions on top. Kept in one settings document that HQ replaces as a whole.
 */
export const POINTS_RULES_ID = 'points'

export const defaultPointsRules: PointsRules = {
  earning: { pointsPerYuan: defaultSettings.earning.pointsPerYuan, excludedNote: '烟草、礼品卡' },
  expiry: { months: 12 },
  tiers: [
    { tier: 'regular', threshold: 0, multiplierPercent: 100, birthdayGift: '' },
    { tier: 'silver', threshold: 2_000, multiplierPercent: 120, birthdayGift: '生日当月双倍积分' },
    { tier: 'gold', threshold: 6_000, multiplierPercent: 150, birthdayGift: '生日礼盒一份' },
    { tier: 'black', threshold: 15_000, multiplierPercent: 200, birthdayGift: '生日礼盒与蛋糕券' },
  ],
  tierReviewDate: '01-01',
  promotions: [],
}

type PointsRulesDoc = Doc & { rules?: unknown }

/** The rules HQ last saved; a stored document that no longer parses falls back to the defaults. */
export async function loadPointsRules(db: Pick<Database, 'get'>): Promise<PointsRules> {
  const stored = await db.get<PointsRulesDoc>('settings', POINTS_RULES_ID)
  const parsed = pointsRulesSchema.safeParse(stored?.rules)

  return parsed.success ? parsed.data : defaultPointsRules
}

/**
 * Replaces the rules as a whole, audited in the same transaction. Lots already earned keep the
 * expiry they were given; new rules apply to what is earned from now on.
 */
export async function savePointsRules(
  db: Database,
  actor: StaffDoc,
  rules: PointsRules,
  context: { now: Date; requestId: string; randomBytes: RandomBytes },
): Promise<Result<PointsRules>> {
  const refused = await checkGiftTemplatesExist(db, rules)
  if (refused) return refused

  return db.transaction(async (tx) => {
    await tx.set('settings', { _id: POINTS_RULES_ID, rules })
    await appendAudit(
      tx,
      {
        actor: { openid: actor.openid, role: actor.role, storeId: actor.storeId },
        action: 'updatePointsRules',
        memberId: null,
        fields: ['earning', 'expiry', 'tiers', 'tierReviewDate', 'promotions'],
        requestId: context.requestId,
        detail: { rules },
      },
      context.now,
      context.randomBytes,
    )

    return succeed(rules)
  })
}

/**
 * A birthday gift naming no template would be found out only on the member's birthday, as a
 * refusal in the timer's report; HQ hears of it while saving instead.
 */
async function checkGiftTemplatesExist(db: Database, rules: PointsRules) {
  const named = [...new Set(rules.tiers.flatMap((rule) => rule.birthdayGiftTemplateId ?? []))]
  if (named.length === 0) return null

  const found = await db.find<Doc>(
    'couponTemplates',
    { _id: { $in: named } },
    { limit: named.length },
  )
  const missing = named.filter((id) => !found.some((template) => template._id === id))

  return missing.length ? refuse('INVALID_INPUT', `没有这些券模板：${missing.join(', ')}`) : null
}

export interface Earning {
  points: number
  multiplierPercent: number
}

/**
 * Points for a purchase: whole yuan of the earning amount × points per yuan × the tier's and the
 * best running promotion's multipliers, rounded down once at the end, so fen never earn.
 */
export function computeEarning(
  rules: PointsRules,
  purchase: { amountFen: number; excludedFen: number; storeId: string; tier: Tier; at: Date },
): Earning {
  const earningYuan = Math.floor(Math.max(0, purchase.amountFen - purchase.excludedFen) / 100)
  const tierPercent = findTierRule(rules, purchase.tier).multiplierPercent
  const day = shanghaiDate(purchase.at)
  const promotionPercent = Math.max(
    100,
    ...rules.promotions
      .filter((promotion) => promotion.startsOn <= day && day <= promotion.endsOn)
      .filter((promotion) => promotion.storeIds.includes(purchase.storeId))
      .map((promotion) => promotion.multiplierPercent),
  )
  const points = Math.floor(
    (earningYuan * rules.earning.pointsPerYuan * tierPercent * promotionPercent) / 10_000,
  )

  return { points, multiplierPercent: Math.round((tierPercent * promotionPercent) / 100) }
}

export function findTierRule(rules: PointsRules, tier: Tier): TierRule {
  return rules.tiers.find((rule) => rule.tier === tier) ?? rules.tiers[0]
}

/**
 * When points earned at `earnedAt` expire: the first instant after the last day of the Nth month
 * after the Shanghai month they were earned in. Shanghai keeps +08:00 all year, so the offset is
 * written out rather than looked up.
 */
export function computeExpiresAt(rules: PointsRules, earnedAt: Date): string | null {
  if (rules.expiry.months === null) return null

  const [year, month] = shanghaiDate(earnedAt).split('-').map(Number)
  const monthIndex = year * 12 + (month - 1) + rules.expiry.months + 1

  return monthStartInShanghai(Math.floor(monthIndex / 12), (monthIndex % 12) + 1)
}

/** Stored (UTC ISO) form of 00:00 Shanghai on the first of a month. */
export function monthStartInShanghai(year: number, month: number): string {
  const written = `${year}-${String(month).padStart(2, '0')}-01T00:00:00+08:00`

  return new Date(written).toISOString()
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

/**
 * The Shanghai date of an instant, `YYYY-MM-DD`. Same answer as time.ts's businessDate, by the
 * fixed offset instead of the zone database: earning runs it several times per purchase and the
 * demo replay of ~47k purchases spent most of its time in the time-zone plugin.
 */
export function shanghaiDate(at: Date | string): string {
  return new Date(new Date(at).getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}
