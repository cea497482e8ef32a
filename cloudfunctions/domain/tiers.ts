import { tierNames, type Tier } from '../../typings/common'
import { tierOrder, type PointsRules, type TierInfo, type TierProgress } from '../../typings/points'
import { findTierRule, shanghaiDate } from './points-rules'

/**
 * Tiers follow qualifying points: what purchases earned in the rolling 12 months, less refunds,
 * never the balance (spending must not cost a member their tier). The rolling window is counted
 * in Shanghai months, this month and the 11 before it, so a member's buckets stay few.
 */
const WINDOW_MONTHS = 12

export type QualifyingByMonth = Record<string, number>

export function businessMonth(at: Date | string): string {
  return shanghaiDate(at).slice(0, 7)
}

function windowStart(now: Date): string {
  const [year, month] = businessMonth(now).split('-').map(Number)
  const index = year * 12 + (month - 1) - (WINDOW_MONTHS - 1)

  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

export function sumQualifying(byMonth: QualifyingByMonth | undefined, now: Date): number {
  const from = windowStart(now)

  return Object.entries(byMonth ?? {})
    .filter(([month]) => month >= from)
    .reduce((sum, [, points]) => sum + points, 0)
}

/** Adds (or with a negative amount removes) qualifying points and drops months out of the window. */
export function addQualifying(
  byMonth: QualifyingByMonth | undefined,
  month: string,
  points: number,
  now: Date,
): QualifyingByMonth {
  const from = windowStart(now)
  const kept = Object.fromEntries(Object.entries(byMonth ?? {}).filter(([key]) => key >= from))
  if (month >= from) kept[month] = Math.max(0, (kept[month] ?? 0) + points)

  return kept
}

export function tierForPoints(rules: PointsRules, qualifyingPoints: number): Tier {
  let reached: Tier = 'regular'
  for (const rule of rules.tiers) if (qualifyingPoints >= rule.threshold) reached = rule.tier

  return reached
}

export function isHigherTier(candidate: Tier, than: Tier): boolean {
  return tierOrder.indexOf(candidate) > tierOrder.indexOf(than)
}

export function describeTierProgress(
  rules: PointsRules,
  member: { tier: Tier; qualifyingByMonth?: QualifyingByMonth },
  now: Date,
): TierProgress {
  const rule = findTierRule(rules, member.tier)
  const qualifyingPoints = sumQualifying(member.qualifyingByMonth, now)
  const next = rules.tiers[tierOrder.indexOf(member.tier) + 1] ?? null

  return {
    tier: member.tier,
    name: tierNames[member.tier],
    multiplierPercent: rule.multiplierPercent,
    birthdayGift: rule.birthdayGift,
    qualifyingPoints,
    nextTier: next?.tier ?? null,
    nextTierName: next ? tierNames[next.tier] : null,
    pointsToNext: next ? Math.max(0, next.threshold - qualifyingPoints) : null,
  }
}

export function describeTierInfo(
  rules: PointsRules,
  member: { tier: Tier; qualifyingByMonth?: QualifyingByMonth },
  now: Date,
): TierInfo {
  return {
    progress: describeTierProgress(rules, member, now),
    tiers: rules.tiers.map((rule) => ({ ...rule, name: tierNames[rule.tier] })),
    reviewDate: rules.tierReviewDate,
  }
}
