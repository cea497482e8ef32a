import type { Card, RegisterResult } from '../../typings/member'
import { CARD_CODE_STEP_SECONDS, randomSecretHex } from '../../typings/card-code'
import { appendAudit, memberAuditActor } from './audit'
import { toBirthdayMonthDay } from './birthday-gifts'
import { loadStoreRefs } from './chain'
import { countUsableCoupons, issueWelcomeGift } from './coupons'
import type { MemberDoc, MemberKeyDoc, StoreDoc } from './models'
import { maskMobile } from './phone'
import { countExpiringSoon } from './points-ledger'
import { loadPointsRules } from './points-rules'
import type { Database, TransactionScope } from './ports'
import { refuse, succeed, type Refusal, type Result } from './result'
import { loadSettings } from './settings'
import { describeTierProgress } from './tiers'
import { businessDate, formatBusinessTime, toStoredTime } from './time'

export type RandomBytes = (length: number) => Uint8Array

export interface Registration {
  openid: string
  unionid: string | null
  /** Already normalized to E.164 by the caller's phone exchange. */
  phone: string
  storeId: string | null
  name: string | null
  birthday: string | null
  consentVersion: string
}

const MEMBER_NO_ATTEMPTS = 8
const EARLIEST_BIRTHDAY = '1900-01-01'

/**
 * A birthday someone alive could have: not after the Shanghai business day of `now`, nor before
 * `EARLIEST_BIRTHDAY`. The event schema checks the form but has no clock, so the day is checked
 * here. A birthday written without its year has nothing to check: every month-day comes round.
 */
export function refuseImplausibleBirthday(birthday: string | null | undefined, now: Date) {
  if (!birthday || birthday.length === 5) return null
  if (birthday > businessDate(now)) return refuse('INVALID_INPUT', '生日不能晚于今天')
  if (birthday < EARLIEST_BIRTHDAY) return refuse('INVALID_INPUT', '生日不能早于 1900 年')

  return null
}

export function memberKey(kind: 'phone' | 'openid' | 'unionid' | 'no', value: string): string {
  return `${kind}:${value}`
}

export async function findMemberByOpenid(db: Database, openid: string) {
  const key = await db.get<MemberKeyDoc>('memberKeys', memberKey('openid', openid))

  return key ? db.get<MemberDoc>('members', key.memberId) : null
}

/** A deleted member's number stays reserved, but no longer finds anyone. */
export async function findMemberByNo(db: Database, memberNo: string) {
  const key = await db.get<MemberKeyDoc>('memberKeys', memberKey('no', memberNo))
  const member = key ? await db.get<MemberDoc>('members', key.memberId) : null

  return member?.deletedAt ? null : member
}

/**
 * The caller's member: by openid, else by the unionid WeChat sends when the brand's apps share an
 * open-platform account, so the same person in the brand's other app is the same member.
 */
export async function findMemberByCaller(db: Database, openid: string, unionid: string | null) {
  const byOpenid = await findMemberByOpenid(db, openid)
  if (byOpenid || !unionid) return byOpenid

  const key = await db.get<MemberKeyDoc>('memberKeys', memberKey('unionid', unionid))

  return key ? db.get<MemberDoc>('members', key.memberId) : null
}

/**
 * What refuses a registration whatever phone it brings. The handler asks before it exchanges the
 * phone code, because WeChat accepts a code once: a registration refused for its terms version,
 * store or birthday must leave the code usable for the corrected retry. Registering asks again,
 * since the terms or the store may change in between.
 */
export async function refuseRegistration(
  db: Database,
  registration: Pick<Registration, 'storeId' | 'birthday' | 'consentVersion'>,
  now: Date,
): Promise<Refusal | null> {
  const settings = await loadSettings(db)
  if (registration.consentVersion !== settings.terms.version) return refuse('CONSENT_OUTDATED')

  const birthdayRefusal = refuseImplausibleBirthday(registration.birthday, now)
  if (birthdayRefusal) return birthdayRefusal

  if (registration.storeId) {
    const store = await db.get<StoreDoc>('stores', registration.storeId)
    if (!store?.isActive) return refuse('INVALID_INPUT', '二维码上的门店不存在')
  }

  return null
}

/**
 * Registers the caller as a member, once per phone brand-wide. A retry of the same registration
 * answers the member it made; the phone or the WeChat account already in use elsewhere is refused.
 */
export async function registerMember(
  db: Database,
  registration: Registration,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<{ memberId: string; isNew: boolean }>> {
  const refusal = await refuseRegistration(db, registration, now)
  if (refusal) return refusal

  return db.transaction(async (tx) => {
    const byOpenid = await tx.get<MemberKeyDoc>(
      'memberKeys',
      memberKey('openid', registration.openid),
    )
    const byPhone = await tx.get<MemberKeyDoc>('memberKeys', memberKey('phone', registration.phone))
    // A missing unionid is never a key: two members without one stay two members.
    const byUnionid = registration.unionid
      ? await tx.get<MemberKeyDoc>('memberKeys', memberKey('unionid', registration.unionid))
      : null
    const byAccount = byOpenid ?? byUnionid
    if (byAccount && byAccount.memberId === byPhone?.memberId) {
      return succeed({ memberId: byAccount.memberId, isNew: false })
    }
    if (byAccount) return refuse('ALREADY_REGISTERED')
    if (byPhone) return refuse('PHONE_IN_USE')

    const memberNo = await reserveMemberNo(tx, randomBytes)
    const memberId = `M${memberNo}`
    const member: MemberDoc = {
      _id: memberId,
      memberNo,
      phone: registration.phone,
      maskedPhone: maskMobile(registration.phone),
      openid: registration.openid,
      unionid: registration.unionid,
      name: registration.name,
      birthday: registration.birthday,
      birthdayMonthDay: toBirthdayMonthDay(registration.birthday),
      homeStoreId: registration.storeId,
      consent: { version: registration.consentVersion, acceptedAt: toStoredTime(now) },
      tier: 'regular',
      points: 0,
      pointsEarnedTotal: 0,
      visitCount: 0,
      lastVisitAt: null,
      lastVisitStoreId: null,
      codeSecret: randomSecretHex(randomBytes),
      registeredAt: toStoredTime(now),
    }
    await tx.insert('members', member)
    await tx.insert('memberKeys', { _id: memberKey('no', memberNo), memberId })
    await tx.insert('memberKeys', { _id: memberKey('openid', registration.openid), memberId })
    await tx.insert('memberKeys', { _id: memberKey('phone', registration.phone), memberId })
    if (registration.unionid) {
      await tx.insert('memberKeys', { _id: memberKey('unionid', registration.unionid), memberId })
    }
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(memberId),
        action: 'member.register',
        memberId,
        fields: ['phone', 'openid', 'unionid', 'name', 'birthday', 'homeStoreId', 'consent'],
        requestId,
        detail: { storeId: registration.storeId },
      },
      now,
      randomBytes,
    )

    return succeed({ memberId, isNew: true })
  })
}

async function reserveMemberNo(tx: TransactionScope, randomBytes: RandomBytes): Promise<string> {
  for (let attempt = 0; attempt < MEMBER_NO_ATTEMPTS; attempt += 1) {
    const [a, b, c, d] = randomBytes(4)
    const value = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
    const memberNo = String(100_000_000 + (value % 900_000_000))
    const taken = await tx.get<MemberKeyDoc>('memberKeys', memberKey('no', memberNo))
    if (!taken) return memberNo
  }

  throw new Error('no free member number after several attempts')
}

/** The member's own card, with the secret their phone derives card codes from. */
export async function buildCard(db: Database, member: MemberDoc, now: Date): Promise<Card> {
  const stores = await loadStoreRefs(db, member.homeStoreId ? [member.homeStoreId] : [])

  return {
    memberId: member._id,
    memberNo: member.memberNo,
    maskedPhone: member.maskedPhone,
    name: member.name,
    tier: member.tier,
    points: member.points,
    pointsExpiringSoon: countExpiringSoon(member, now),
    tierProgress: describeTierProgress(await loadPointsRules(db), member, now),
    homeStore: member.homeStoreId ? (stores.get(member.homeStoreId) ?? null) : null,
    couponCount: await countUsableCoupons(db, member._id, now),
    codeSecret: member.codeSecret,
    codeStepSeconds: CARD_CODE_STEP_SECONDS,
    serverTime: formatBusinessTime(now),
  }
}

export async function registerAndBuildCard(
  db: Database,
  registration: Registration,
  now: Date,
  randomBytes: RandomBytes,
  requestId = '',
): Promise<Result<RegisterResult>> {
  const registered = await registerMember(db, registration, now, randomBytes, requestId)
  if (!registered.ok) return registered

  // After the registration committed: a failed gift is recorded in `jobs`, never a failed sign-up.
  if (registered.data.isNew) {
    await issueWelcomeGift(db, registered.data.memberId, now, randomBytes, requestId)
  }

  const member = await db.get<MemberDoc>('members', registered.data.memberId)
  if (!member) return refuse('INTERNAL')

  return succeed({ card: await buildCard(db, member, now), isNew: registered.data.isNew })
}
