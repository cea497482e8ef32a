import type { Card } from '../../typings/member'
import type { Gender, Profile } from '../../typings/member-identity'
import { appendAudit, memberAuditActor } from './audit'
import { toBirthdayMonthDay } from './birthday-gifts'
import { loadStoreRefs } from './chain'
import { buildCard, refuseImplausibleBirthday, type RandomBytes } from './members'
import type { MemberDoc, StoreDoc } from './models'
import type { Database } from './ports'
import { refuse, succeed, type Result } from './result'
import { loadSettings, type BrandSettings } from './settings'
import { formatBusinessTime, toStoredTime } from './time'

/** The member's own profile and consent: what they may read and change about themselves. */

export interface ProfileChanges {
  /** `undefined` keeps a field, `null` clears it. */
  name?: string | null
  birthday?: string | null
  gender?: Gender | null
  preferredStoreId?: string | null
}

/**
 * A member acting on their own record. The log names them by memberId (in the record), never by
 * openid, so that deleting the account leaves no WeChat identity behind in the log.
 */
export function hasCurrentConsent(member: MemberDoc, settings: BrandSettings): boolean {
  return member.consent.version === settings.terms.version
}

export async function loadProfile(db: Database, member: MemberDoc): Promise<Profile> {
  const storeIds = [member.homeStoreId, member.preferredStoreId ?? null].filter(
    (id): id is string => Boolean(id),
  )
  const stores = await loadStoreRefs(db, storeIds)

  return {
    memberId: member._id,
    maskedPhone: member.maskedPhone,
    name: member.name,
    birthday: member.birthday,
    gender: member.gender ?? null,
    preferredStore: member.preferredStoreId ? (stores.get(member.preferredStoreId) ?? null) : null,
    homeStore: member.homeStoreId ? (stores.get(member.homeStoreId) ?? null) : null,
    consent: {
      version: member.consent.version,
      acceptedAt: formatBusinessTime(member.consent.acceptedAt),
    },
  }
}

/** Changes the fields named in `changes`, audited by name only: values are personal data. */
export async function updateProfile(
  db: Database,
  memberId: string,
  changes: ProfileChanges,
  context: { now: Date; randomBytes: RandomBytes; requestId: string },
): Promise<Result<Profile>> {
  const birthdayRefusal = refuseImplausibleBirthday(changes.birthday, context.now)
  if (birthdayRefusal) return birthdayRefusal

  if (changes.preferredStoreId) {
    const store = await db.get<StoreDoc>('stores', changes.preferredStoreId)
    if (!store?.isActive) return refuse('INVALID_INPUT', '选择的门店不存在')
  }

  const set = Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as Record<string, unknown>
  const fields = Object.keys(set)
  // Derived, not a field the member named: the audit lists what they changed.
  if (changes.birthday !== undefined) set.birthdayMonthDay = toBirthdayMonthDay(changes.birthday)

  const updated = await db.transaction(async (tx) => {
    const member = await tx.get<MemberDoc>('members', memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED')
    if (fields.length === 0) return succeed(member)

    await tx.update('members', memberId, { set })
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(memberId),
        action: 'member.updateProfile',
        memberId,
        fields,
        requestId: context.requestId,
      },
      context.now,
      context.randomBytes,
    )

    return succeed({ ...member, ...set } as MemberDoc)
  })
  if (!updated.ok) return updated

  return succeed(await loadProfile(db, updated.data))
}

/** Records consent to the terms HQ publishes now; an older version is refused. */
export async function acceptTerms(
  db: Database,
  memberId: string,
  version: string,
  context: { now: Date; randomBytes: RandomBytes; requestId: string },
): Promise<Result<Card>> {
  const settings = await loadSettings(db)
  if (version !== settings.terms.version) return refuse('CONSENT_OUTDATED')

  const accepted = await db.transaction(async (tx) => {
    const member = await tx.get<MemberDoc>('members', memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED')

    const consent = { version, acceptedAt: toStoredTime(context.now) }
    await tx.update('members', memberId, { set: { consent } })
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(memberId),
        action: 'member.acceptTerms',
        memberId,
        fields: ['consent'],
        requestId: context.requestId,
        detail: { version },
      },
      context.now,
      context.randomBytes,
    )

    return succeed({ ...member, consent })
  })
  if (!accepted.ok) return accepted

  return succeed(await buildCard(db, accepted.data, context.now))
}
