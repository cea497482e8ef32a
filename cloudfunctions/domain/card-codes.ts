import {
  CARD_CODE_STEP_SECONDS,
  codeStepAt,
  makeCardCode,
  parseCardCode,
  signCardCode,
  cardCodeExpiresAt,
} from '../../typings/card-code'
import type { CardCode } from '../../typings/member'
import { findMemberByNo } from './members'
import type { MemberDoc } from './models'
import type { Database, Doc } from './ports'
import { refuse, succeed, type Result } from './result'
import { formatBusinessTime, toStoredTime } from './time'

/** A phone whose clock is one step off still shows a code the counter accepts. */
const TOLERATED_SKEW_STEPS = 1
/**
 * Older codes than the tolerance, up to a day back, are called expired rather than invalid: a
 * screenshot from this morning is an expired code, not a forgery. The code carries one step
 * digit, so a forged code costs a tenth of these steps in signatures (about 300) before it is
 * called invalid.
 */
const RECOGNISED_PAST_STEPS = (24 * 60 * 60) / CARD_CODE_STEP_SECONDS

export function issueCardCode(member: MemberDoc, now: Date, variant: number): CardCode {
  const epochMs = now.getTime()

  return {
    code: makeCardCode(member.codeSecret, member.memberNo, epochMs, variant),
    expiresAt: formatBusinessTime(new Date(cardCodeExpiresAt(epochMs))),
  }
}

/**
 * Accepts a scanned card code once: it must be signed with the member's secret for a step within
 * the tolerated skew of `now`, and not have been accepted before at any store.
 */
export async function acceptCardCode(
  db: Database,
  code: string,
  now: Date,
): Promise<Result<MemberDoc>> {
  const parts = parseCardCode(code)
  if (!parts) return refuse('CODE_INVALID')

  const member = await findMemberByNo(db, parts.memberNo)
  if (!member) return refuse('CODE_INVALID')

  const step = findSignedStep(member, parts, codeStepAt(now.getTime()))
  if (step === null) return refuse('CODE_INVALID')
  if (step.isExpired) return refuse('CODE_EXPIRED')

  const expiresAt = new Date(
    (step.value + TOLERATED_SKEW_STEPS + 1) * CARD_CODE_STEP_SECONDS * 1000,
  )
  // Kept until expiresAt, when the step itself is refused as expired; purgeUsedCardCodes then
  // removes it.
  const isFirstUse = await db.insert('usedCardCodes', {
    _id: `${member.memberNo}.${step.value}.${parts.variant}`,
    memberId: member._id,
    usedAt: toStoredTime(now),
    expiresAt: toStoredTime(expiresAt),
  })
  if (!isFirstUse) return refuse('CODE_USED')

  return succeed(member)
}

interface UsedCardCodeDoc extends Doc {
  memberId: string
  usedAt: string
  expiresAt: string
}

function findSignedStep(
  member: MemberDoc,
  parts: NonNullable<ReturnType<typeof parseCardCode>>,
  currentStep: number,
) {
  const newest = currentStep + TOLERATED_SKEW_STEPS
  const oldest = currentStep - TOLERATED_SKEW_STEPS - RECOGNISED_PAST_STEPS

  for (let step = newest; step >= oldest; step -= 1) {
    const isCandidate = step % 10 === parts.stepDigit
    if (!isCandidate) continue

    const signature = signCardCode(member.codeSecret, member.memberNo, step, parts.variant)
    if (signature === parts.signature) {
      return { value: step, isExpired: step < currentStep - TOLERATED_SKEW_STEPS }
    }
  }

  return null
}

export interface PurgeLimits {
  codesPerChunk: number
  chunksPerRun: number
}

export const defaultPurgeLimits: PurgeLimits = { codesPerChunk: 200, chunksPerRun: 50 }

/**
 * Removes the records of used codes whose step is past: such a code is refused as expired (or,
 * older still, as not a code) before its record would be consulted, so the record guards
 * nothing. Each chunk is one transaction; a run stops after `chunksPerRun` and the next run of
 * the timer carries on.
 */
export async function purgeUsedCardCodes(
  db: Database,
  now: Date,
  limits: PurgeLimits = defaultPurgeLimits,
): Promise<{ purged: number; isDone: boolean }> {
  let purged = 0
  for (let chunk = 0; chunk < limits.chunksPerRun; chunk += 1) {
    const due = await db.find<UsedCardCodeDoc>(
      'usedCardCodes',
      { expiresAt: { $lte: toStoredTime(now) } },
      { orderBy: [['expiresAt', 'asc']], limit: limits.codesPerChunk },
    )
    if (due.length === 0) return { purged, isDone: true }

    await db.transaction(async (tx) => {
      for (const used of due) await tx.remove('usedCardCodes', used._id)
    })
    purged += due.length
  }

  return { purged, isDone: false }
}
