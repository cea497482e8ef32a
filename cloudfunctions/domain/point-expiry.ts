import { appendAudit, systemAuditActor, type AuditContext } from './audit'
import type { MemberDoc, PointLotDoc } from './models'
import { describeExpiry, expireDueLots, openLedger, writeLedger } from './points-ledger'
import { loadPointsRules, monthStartInShanghai } from './points-rules'
import type { Database, Doc } from './ports'
import { isHigherTier, sumQualifying, tierForPoints } from './tiers'
import { businessDate, toStoredTime } from './time'

/**
 * The daily points job: expires due lots and, once a year on HQ's review date, lets tiers go
 * down. Each run does a bounded amount of work and records where it stands in `jobs`, so a run
 * cut short by a timeout or a crash is finished by the next one; the timer fires often enough
 * for that, and a run whose day is already done costs one read.
 */
export interface ExpiryLimits {
  /** Open due lots fetched per query; each names a member whose due lots all expire at once. */
  lotsPerChunk: number
  chunksPerRun: number
  /** Members reviewed per query in the yearly tier review. */
  membersPerChunk: number
}

// CloudBase answers at most 1,000 documents a query. Each query asks only for lots past the job's
// cursor, which CloudBase's index on `openExpiresAt` answers a page at a time, so a run's cost
// follows the lots it expires, not the backlog still waiting.
export const defaultExpiryLimits: ExpiryLimits = {
  lotsPerChunk: 1_000,
  chunksPerRun: 6,
  membersPerChunk: 200,
}

/** Lots expire on the first of a month, so the due ones are found by equality on these instants. */
const LOOKBACK_MONTHS = 120

/**
 * Where the day's expiry stands: lots are walked in (`openExpiresAt`, `_id`) order and the
 * cursor is the last lot a chunk handled. A lot the walk passed that stayed open (its member's
 * summary held it as not yet due) waits for the next day instead of being read by every chunk.
 */
interface ExpiryCursor {
  expiresAt: string
  lotId: string
}

interface ExpiryJobDoc extends Doc {
  date: string
  status: 'running' | 'done'
  /** Absent until the day's first chunk has handled a lot. */
  cursor?: ExpiryCursor
  lotsExpired: number
  membersTouched: number
  chunks: number
  updatedAt: string
}

interface TierReviewJobDoc extends Doc {
  year: number
  status: 'running' | 'done'
  cursor: string
  membersReviewed: number
  membersDowngraded: number
  updatedAt: string
}

export interface ExpiryRunReport {
  date: string
  expiry: { status: 'running' | 'done'; lotsExpired: number; membersTouched: number }
  tierReview: { status: 'running' | 'done' | 'not due'; membersDowngraded: number }
}

/**
 * The timer's request. The job audits each member's expiry in the transaction that makes it, as
 * the system's, since no person asked for it.
 */
export type JobAuditContext = Omit<AuditContext, 'actor'>

export async function runPointsJob(
  db: Database,
  now: Date,
  audit: JobAuditContext,
  limits: ExpiryLimits = defaultExpiryLimits,
): Promise<ExpiryRunReport> {
  const expiry = await expireDueLotsInChunks(db, now, audit, limits)
  const tierReview =
    expiry.status === 'done' ? await reviewTiers(db, now, limits) : notDue('running')

  return { date: businessDate(now), expiry, tierReview }
}

function notDue(status: 'running' | 'not due') {
  return { status, membersDowngraded: 0 }
}

export async function expireDueLotsInChunks(
  db: Database,
  now: Date,
  audit: JobAuditContext,
  limits: ExpiryLimits = defaultExpiryLimits,
): Promise<ExpiryRunReport['expiry']> {
  const date = businessDate(now)
  const stored = await db.get<ExpiryJobDoc>('jobs', 'pointExpiry')
  const job: ExpiryJobDoc =
    stored?.date === date
      ? stored
      : {
          _id: 'pointExpiry',
          date,
          status: 'running',
          lotsExpired: 0,
          membersTouched: 0,
          chunks: 0,
          updatedAt: toStoredTime(now),
        }
  if (job.status === 'done') return summarize(job)

  const boundaries = listDueBoundaries(now)
  for (let chunk = 0; chunk < limits.chunksPerRun; chunk += 1) {
    const lots = await findLotsAfter(db, boundaries, job.cursor ?? null, limits.lotsPerChunk)
    const memberIds = [...new Set(lots.map((lot) => lot.memberId))]
    for (const memberId of memberIds) {
      job.lotsExpired += await expireMemberLots(db, memberId, lots, now, audit)
    }
    job.membersTouched += memberIds.length
    job.chunks += 1
    const last = lots.at(-1)
    if (last) job.cursor = { expiresAt: last.openExpiresAt as string, lotId: last._id }
    // Only an empty answer means done: the database may answer fewer than asked for.
    job.status = lots.length === 0 ? 'done' : 'running'
    job.updatedAt = toStoredTime(now)
    await db.set('jobs', job)
    if (job.status === 'done') break
  }

  return summarize(job)
}

/**
 * The next open due lots after the cursor: first the rest of the cursor's boundary, by `_id`;
 * when that is done, the boundaries after it from their first lot. Both are an equality or `$in`
 * on `openExpiresAt` with a range on `_id`, which one compound index answers a page at a time.
 */
async function findLotsAfter(
  db: Database,
  boundaries: string[],
  cursor: ExpiryCursor | null,
  limit: number,
): Promise<PointLotDoc[]> {
  if (cursor) {
    const rest = await db.find<PointLotDoc>(
      'pointLots',
      { openExpiresAt: cursor.expiresAt, _id: { $gt: cursor.lotId } },
      { orderBy: [['_id', 'asc']], limit },
    )
    if (rest.length > 0) return rest
  }

  const later = boundaries.filter((boundary) => !cursor || boundary > cursor.expiresAt)
  if (later.length === 0) return []

  return db.find<PointLotDoc>(
    'pointLots',
    { openExpiresAt: { $in: later } },
    {
      orderBy: [
        ['openExpiresAt', 'asc'],
        ['_id', 'asc'],
      ],
      limit,
    },
  )
}

function summarize(job: ExpiryJobDoc): ExpiryRunReport['expiry'] {
  return { status: job.status, lotsExpired: job.lotsExpired, membersTouched: job.membersTouched }
}

/** Every first-of-month instant from the lookback up to now, as lots store their expiry. */
export function listDueBoundaries(now: Date): string[] {
  const [year, month] = businessDate(now).split('-').map(Number)
  const current = year * 12 + (month - 1)
  const boundaries: string[] = []
  for (let index = current - LOOKBACK_MONTHS; index <= current; index += 1) {
    const boundary = monthStartInShanghai(Math.floor(index / 12), (index % 12) + 1)
    if (boundary <= toStoredTime(now)) boundaries.push(boundary)
  }

  return boundaries
}

async function expireMemberLots(
  db: Database,
  memberId: string,
  foundLots: PointLotDoc[],
  now: Date,
  audit: JobAuditContext,
): Promise<number> {
  return db.transaction(async (tx) => {
    const member = await tx.get<MemberDoc>('members', memberId)
    const openIds = new Set((member?.openLots ?? []).map((lot) => lot.lotId))
    // A found lot the member's summary does not hold is closed already (the member's own change
    // expired it since the query) or has no member document to expire it through; left open, the
    // latter would be found by every chunk. A deleted account keeps its document and expires as
    // any other.
    for (const lot of foundLots) {
      if (lot.memberId === memberId && !openIds.has(lot._id)) {
        await tx.update('pointLots', lot._id, { unset: ['openExpiresAt'] })
      }
    }
    if (!member) return 0

    const ledger = openLedger(member, now)
    const expired = expireDueLots(ledger)
    if (expired === 0) return 0

    await writeLedger(tx, ledger)
    const record = {
      actor: systemAuditActor('pointExpiry'),
      action: 'expirePoints',
      memberId,
      fields: ['points'],
      requestId: audit.requestId,
      detail: describeExpiry(ledger),
    }
    await appendAudit(tx, record, now, audit.randomBytes)

    return expired
  })
}

/**
 * The yearly review: on or after HQ's review date, each member above the first tier gets the tier
 * their qualifying points now reach, which may be lower. Upgrades happen at once when points are
 * earned, so the review only ever lowers a tier. The tier it leaves is kept as `tierKept`: until
 * the next review a refund may undo a later upgrade but not go below it.
 */
export async function reviewTiers(
  db: Database,
  now: Date,
  limits: ExpiryLimits = defaultExpiryLimits,
): Promise<ExpiryRunReport['tierReview']> {
  const rules = await loadPointsRules(db)
  const date = businessDate(now)
  const year = Number(date.slice(0, 4))
  if (date.slice(5) < rules.tierReviewDate) return notDue('not due')

  const stored = await db.get<TierReviewJobDoc>('jobs', 'tierReview')
  const job: TierReviewJobDoc =
    stored?.year === year
      ? stored
      : {
          _id: 'tierReview',
          year,
          status: 'running',
          cursor: '',
          membersReviewed: 0,
          membersDowngraded: 0,
          updatedAt: toStoredTime(now),
        }
  if (job.status === 'done') return { status: 'done', membersDowngraded: job.membersDowngraded }

  for (let chunk = 0; chunk < limits.chunksPerRun; chunk += 1) {
    const members = await db.find<MemberDoc>(
      'members',
      { tier: { $in: ['silver', 'gold', 'black'] }, _id: { $gt: job.cursor } },
      { orderBy: [['_id', 'asc']], limit: limits.membersPerChunk },
    )
    for (const found of members) {
      const isDowngraded = await db.transaction(async (tx) => {
        const member = await tx.get<MemberDoc>('members', found._id)
        if (!member) return false

        const merited = tierForPoints(rules, sumQualifying(member.qualifyingByMonth, now))
        const isLowered = isHigherTier(member.tier, merited)
        const kept = isLowered ? merited : member.tier
        if (isLowered || member.tierKept !== kept) {
          await tx.update('members', member._id, { set: { tier: kept, tierKept: kept } })
        }

        return isLowered
      })
      if (isDowngraded) job.membersDowngraded += 1
    }
    job.membersReviewed += members.length
    job.cursor = members.length ? members[members.length - 1]._id : job.cursor
    job.status = members.length === 0 ? 'done' : 'running'
    job.updatedAt = toStoredTime(now)
    await db.set('jobs', job)
    if (job.status === 'done') break
  }

  return { status: job.status, membersDowngraded: job.membersDowngraded }
}
