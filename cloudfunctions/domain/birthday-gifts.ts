import type { ErrorCode } from '../../typings/errors'
import type { PointsRules } from '../../typings/points'
import { systemAuditActor } from './audit'
import type { CouponTemplateDoc } from './coupon-templates'
import { issueInTransaction } from './coupons'
import type { RandomBytes } from './members'
import type { MemberDoc } from './models'
import { findTierRule, loadPointsRules } from './points-rules'
import type { Database, Doc } from './ports'
import { refuse, succeed, type Result } from './result'
import { businessDate, toStoredTime } from './time'

/**
 * The birthday gift: on each Shanghai business day, every member whose birthday it is receives
 * the coupon their tier's rule names. A bounded chunk of members at a time, with the progress in
 * `jobs`, so that a run cut short is finished by the next. One gift per member per year, whatever
 * the reruns, retries, or changes to the tier's template in between.
 */
export interface BirthdayGiftLimits {
  membersPerChunk: number
  chunksPerRun: number
}

// Each member is a transaction of several reads and writes; a run stays well inside the
// function's timeout, and the timer comes back often enough for a chain's busiest birthday.
export const defaultBirthdayGiftLimits: BirthdayGiftLimits = {
  membersPerChunk: 100,
  chunksPerRun: 3,
}

/** One document per member and year: the gift given, whichever template it was. */
export const BIRTHDAY_GIFTS = 'birthdayGifts'

interface BirthdayGiftDoc extends Doc {
  memberId: string
  year: number
  templateId: string
  couponId: string
  issuedAt: string
}

type RefusalCounts = Partial<Record<ErrorCode, number>>

interface BirthdayJobDoc extends Doc {
  date: string
  status: 'running' | 'done'
  /** The last member id handled; the next chunk starts after it. */
  cursor: string
  giftsIssued: number
  /** Found again after a run cut short, or given earlier in the year under another birthday. */
  alreadyGiven: number
  /** Their tier's rule names no coupon. */
  withoutGift: number
  refused: RefusalCounts
  chunks: number
  updatedAt: string
}

export interface BirthdayGiftReport {
  date: string
  status: 'running' | 'done'
  giftsIssued: number
  alreadyGiven: number
  withoutGift: number
  refused: RefusalCounts
}

export interface BirthdayGiftContext {
  now: Date
  requestId: string
  randomBytes: RandomBytes
}

/** The stored `MM-DD` of a birthday written `YYYY-MM-DD` or `MM-DD`. */
export function toBirthdayMonthDay(birthday: string | null): string | null {
  return birthday ? birthday.slice(-5) : null
}

/** The birthdays greeted on a Shanghai date: 02-29 ones on 02-28 when the year has no 29th. */
export function listGreetedMonthDays(date: string): string[] {
  const monthDay = date.slice(5)
  if (monthDay !== '02-28' || isLeapYear(Number(date.slice(0, 4)))) return [monthDay]

  return [monthDay, '02-29']
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

export async function runBirthdayGifts(
  db: Database,
  context: BirthdayGiftContext,
  limits: BirthdayGiftLimits = defaultBirthdayGiftLimits,
): Promise<BirthdayGiftReport> {
  const { now } = context
  const date = businessDate(now)
  const jobId = `birthdayGreeting.${date}`
  const job = (await db.get<BirthdayJobDoc>('jobs', jobId)) ?? {
    _id: jobId,
    date,
    status: 'running',
    cursor: '',
    giftsIssued: 0,
    alreadyGiven: 0,
    withoutGift: 0,
    refused: {},
    chunks: 0,
    updatedAt: toStoredTime(now),
  }
  if (job.status === 'done') return summarize(job)

  // Until every stored member has the month-day, the day's query could pass some of them over.
  if (!(await backfillMonthDays(db, now, limits))) return summarize(job)

  const rules = await loadPointsRules(db)
  const monthDays = listGreetedMonthDays(date)
  const templates = new Map<string, CouponTemplateDoc | null>()
  for (let chunk = 0; chunk < limits.chunksPerRun; chunk += 1) {
    const members = await db.find<MemberDoc>(
      'members',
      { birthdayMonthDay: { $in: monthDays }, _id: { $gt: job.cursor } },
      { orderBy: [['_id', 'asc']], limit: limits.membersPerChunk },
    )
    // A member whose transaction throws is not passed over: the cursor stays before them and the
    // next run tries again, where the per-year document keeps a gift already given from repeating.
    for (const member of members) {
      const outcome = await giveBirthdayGift(
        db,
        member,
        { rules, date, monthDays, templates },
        context,
      )
      countOutcome(job, outcome)
      job.cursor = member._id
    }
    job.chunks += 1
    // Only a query that finds nothing ends the day: the database may answer fewer than asked for.
    job.status = members.length === 0 ? 'done' : 'running'
    job.updatedAt = toStoredTime(now)
    await db.set('jobs', job)
    if (job.status === 'done') break
  }

  return summarize(job)
}

interface MonthDayBackfillDoc extends Doc {
  status: 'running' | 'done'
  cursor: string
  membersUpdated: number
  updatedAt: string
}

const BACKFILL_JOB_ID = 'birthdayMonthDays'

/**
 * Members stored before `birthdayMonthDay` existed have a birthday and no month-day, so no day's
 * query would find them. One pass over the members with a birthday writes it, a bounded chunk
 * per run, before any day's gifts; once done, it costs a run one read. Answers whether it is done.
 */
async function backfillMonthDays(
  db: Database,
  now: Date,
  limits: BirthdayGiftLimits,
): Promise<boolean> {
  const job = (await db.get<MonthDayBackfillDoc>('jobs', BACKFILL_JOB_ID)) ?? {
    _id: BACKFILL_JOB_ID,
    status: 'running',
    cursor: '',
    membersUpdated: 0,
    updatedAt: toStoredTime(now),
  }
  if (job.status === 'done') return true

  for (let chunk = 0; chunk < limits.chunksPerRun; chunk += 1) {
    const members = await db.find<MemberDoc>(
      'members',
      { birthday: { $ne: null }, _id: { $gt: job.cursor } },
      { orderBy: [['_id', 'asc']], limit: limits.membersPerChunk },
    )
    for (const found of members.filter((member) => member.birthdayMonthDay === undefined)) {
      // Read again: a profile edit since the query wrote the month-day of the birthday it set.
      const isUpdated = await db.transaction(async (tx) => {
        const member = await tx.get<MemberDoc>('members', found._id)
        if (!member || member.birthdayMonthDay !== undefined) return false

        const birthdayMonthDay = toBirthdayMonthDay(member.birthday)
        await tx.update('members', member._id, { set: { birthdayMonthDay } })

        return true
      })
      if (isUpdated) job.membersUpdated += 1
    }
    job.cursor = members.length ? members[members.length - 1]._id : job.cursor
    job.status = members.length === 0 ? 'done' : 'running'
    job.updatedAt = toStoredTime(now)
    await db.set('jobs', job)
    if (job.status === 'done') return true
  }

  return false
}

type GiftOutcome = Result<'issued' | 'alreadyGiven' | 'withoutGift' | 'notToday'>

interface GiftDay {
  rules: PointsRules
  date: string
  monthDays: string[]
  /** Templates read this run, by id; null for one that does not exist. */
  templates: Map<string, CouponTemplateDoc | null>
}

/**
 * One member's gift in one transaction with the per-year document that records it, so a gift
 * and its record commit together. The member is read again inside it: one deleted, or whose
 * birthday moved, since the query gets nothing today.
 */
async function giveBirthdayGift(
  db: Database,
  found: MemberDoc,
  day: GiftDay,
  context: BirthdayGiftContext,
): Promise<GiftOutcome> {
  const templateId = findTierRule(day.rules, found.tier).birthdayGiftTemplateId
  if (!templateId) return succeed('withoutGift')

  if (!day.templates.has(templateId)) {
    day.templates.set(templateId, await db.get<CouponTemplateDoc>('couponTemplates', templateId))
  }
  const template = day.templates.get(templateId)
  if (!template) return refuse('NOT_FOUND', '没有这个券模板')

  const year = Number(day.date.slice(0, 4))
  const giftId = `birthday.${year}.${found._id}`
  const { now, requestId, randomBytes } = context

  return db.transaction(async (tx): Promise<GiftOutcome> => {
    if (await tx.get<BirthdayGiftDoc>(BIRTHDAY_GIFTS, giftId)) return succeed('alreadyGiven')

    const member = await tx.get<MemberDoc>('members', found._id)
    if (!member || member.deletedAt) return succeed('notToday')
    if (!day.monthDays.includes(member.birthdayMonthDay ?? '')) return succeed('notToday')

    const issued = await issueInTransaction(tx, {
      template,
      memberId: member._id,
      source: 'birthday',
      issueKey: giftId,
      now,
      randomBytes,
      // The system, not a person: HQ's tier rule picks the gift and the day gives it.
      audit: { actor: systemAuditActor('birthdayGreeting'), requestId, randomBytes },
    })
    if (!issued.ok) return issued

    const gift: BirthdayGiftDoc = {
      _id: giftId,
      memberId: member._id,
      year,
      templateId: template._id,
      couponId: issued.data._id,
      issuedAt: toStoredTime(now),
    }
    await tx.insert(BIRTHDAY_GIFTS, gift)

    return succeed('issued')
  })
}

function countOutcome(job: BirthdayJobDoc, outcome: GiftOutcome): void {
  if (!outcome.ok) {
    const { code } = outcome.error
    job.refused = { ...job.refused, [code]: (job.refused[code] ?? 0) + 1 }
    return
  }

  if (outcome.data === 'issued') job.giftsIssued += 1
  else if (outcome.data === 'alreadyGiven') job.alreadyGiven += 1
  else if (outcome.data === 'withoutGift') job.withoutGift += 1
}

function summarize(job: BirthdayJobDoc): BirthdayGiftReport {
  return {
    date: job.date,
    status: job.status,
    giftsIssued: job.giftsIssued,
    alreadyGiven: job.alreadyGiven,
    withoutGift: job.withoutGift,
    refused: job.refused,
  }
}
