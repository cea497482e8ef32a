import { makeCardCode, CARD_CODE_STEP_SECONDS } from '../../typings/card-code'
import { acceptCardCode } from '../../cloudfunctions/domain/card-codes'
import { recordPurchase, scanMember } from '../../cloudfunctions/domain/counter'
import { listHistory } from '../../cloudfunctions/domain/history'
import {
  buildCard,
  findMemberByOpenid,
  registerMember,
  type Registration,
} from '../../cloudfunctions/domain/members'
import type { MemberDoc } from '../../cloudfunctions/domain/models'
import { defaultSettings } from '../../cloudfunctions/domain/settings'
import { createSmallChain, random } from '../support/direct-chain'

const now = new Date('2026-12-03T02:00:00.000Z')
const stepMs = CARD_CODE_STEP_SECONDS * 1000

function registration(overrides: Partial<Registration> = {}): Registration {
  return {
    openid: 'o-member-1',
    unionid: null,
    phone: '+8613800138000',
    storeId: 'sA',
    name: '王小明',
    birthday: '1990-05-20',
    consentVersion: defaultSettings.terms.version,
    ...overrides,
  }
}

async function registeredChain() {
  const chain = await createSmallChain()
  const registered = await registerMember(chain.db, registration(), now, random)
  if (!registered.ok) throw new Error(registered.error.code)
  const member = (await findMemberByOpenid(chain.db, 'o-member-1')) as MemberDoc

  return { ...chain, member }
}

function codeOf(member: MemberDoc, at: Date, variant = 0) {
  return makeCardCode(member.codeSecret, member.memberNo, at.getTime(), variant)
}

describe('registration', () => {
  it('makes one member with the store that brought them as home store', async () => {
    const { db, member } = await registeredChain()
    const card = await buildCard(db, member, now)

    expect(card.maskedPhone).toBe('138****8000')
    expect(card.homeStore?.storeId).toBe('sA')
    expect(card.points).toBe(0)
    expect(card.tier).toBe('regular')
  })

  it('answers the same member when the same registration is retried', async () => {
    const { db, member } = await registeredChain()
    const again = await registerMember(db, registration(), now, random)

    expect(again).toEqual({ ok: true, data: { memberId: member._id, isNew: false } })
  })

  it('refuses a phone already bound to another WeChat account', async () => {
    const { db } = await registeredChain()
    const other = await registerMember(db, registration({ openid: 'o-member-2' }), now, random)

    expect(other.ok || other.error.code).toBe('PHONE_IN_USE')
    expect(await findMemberByOpenid(db, 'o-member-2')).toBeNull()
  })

  it('refuses consent to terms that are no longer current', async () => {
    const { db } = await createSmallChain()
    const outdated = await registerMember(
      db,
      registration({ consentVersion: '2020-01' }),
      now,
      random,
    )

    expect(outdated.ok || outdated.error.code).toBe('CONSENT_OUTDATED')
    expect(await findMemberByOpenid(db, 'o-member-1')).toBeNull()
  })

  it('refuses a store QR naming a store that does not exist, writing nothing', async () => {
    const { db, store } = await createSmallChain()
    const refused = await registerMember(db, registration({ storeId: 'nowhere' }), now, random)

    expect(refused.ok || refused.error.code).toBe('INVALID_INPUT')
    expect(store.count('members', {})).toBe(0)
    expect(store.count('memberKeys', {})).toBe(0)
  })
})

describe('card codes at the counter', () => {
  it('accepts a fresh code once and refuses it the second time, at any store', async () => {
    const { db, member } = await registeredChain()
    const code = codeOf(member, now)

    expect((await acceptCardCode(db, code, now)).ok).toBe(true)
    const again = await acceptCardCode(db, code, now)
    expect(again.ok || again.error.code).toBe('CODE_USED')
  })

  it('tolerates a phone clock one step ahead or behind', async () => {
    const { db, member } = await registeredChain()

    expect(
      (await acceptCardCode(db, codeOf(member, new Date(now.getTime() + stepMs)), now)).ok,
    ).toBe(true)
    expect(
      (await acceptCardCode(db, codeOf(member, new Date(now.getTime() - stepMs)), now)).ok,
    ).toBe(true)
  })

  it('calls a code from several steps ago expired', async () => {
    const { db, member } = await registeredChain()
    const old = codeOf(member, new Date(now.getTime() - 3 * stepMs))
    const refused = await acceptCardCode(db, old, now)

    expect(refused.ok || refused.error.code).toBe('CODE_EXPIRED')
  })

  it('refuses a code signed with another secret', async () => {
    const { db, member } = await registeredChain()
    const forged = makeCardCode('00'.repeat(32), member.memberNo, now.getTime())
    const refused = await acceptCardCode(db, forged, now)

    expect(refused.ok || refused.error.code).toBe('CODE_INVALID')
  })
})

describe('recording a purchase', () => {
  it('earns points by the brand rule and shows the visit in the history', async () => {
    const { db, member, clerkB } = await registeredChain()
    const scan = await scanMember(db, clerkB, codeOf(member, now), now, random)
    if (!scan.ok) throw new Error(scan.error.code)

    expect(scan.data.member.maskedPhone).toBe('138****8000')
    expect(scan.data.member.name).toBe('王**')
    const input = { visitToken: scan.data.visitToken, orderNo: 'A1001', amountFen: 12_345 }
    const recorded = await recordPurchase(db, clerkB, input, now, random)

    expect(recorded).toEqual({
      ok: true,
      data: { visitId: 'sB.A1001', pointsEarned: 123, balance: 123 },
    })
    const history = await listHistory(db, member._id, undefined)
    expect(history.items).toHaveLength(1)
    expect(history.items[0]).toMatchObject({ amountFen: 12_345, store: { storeId: 'sB' } })
    expect(history.items[0].at).toBe('2026-12-03T10:00:00.000+08:00')
  })

  it('answers an exact retry with the first result and changes nothing', async () => {
    const { db, store, member, clerkA } = await registeredChain()
    const scan = await scanMember(db, clerkA, codeOf(member, now), now, random)
    if (!scan.ok) throw new Error(scan.error.code)
    const input = { visitToken: scan.data.visitToken, orderNo: 'A1', amountFen: 5_000 }

    const first = await recordPurchase(db, clerkA, input, now, random)
    const retry = await recordPurchase(db, clerkA, input, now, random)

    expect(retry).toEqual(first)
    expect(store.get('members', member._id)).toMatchObject({ points: 50, visitCount: 1 })
    expect(store.count('visits', {})).toBe(1)
  })

  it('refuses the same order number with another amount as DUPLICATE_ORDER', async () => {
    const { db, store, member, clerkA } = await registeredChain()
    const scan = await scanMember(db, clerkA, codeOf(member, now), now, random)
    if (!scan.ok) throw new Error(scan.error.code)

    await recordPurchase(
      db,
      clerkA,
      { visitToken: scan.data.visitToken, orderNo: 'A1', amountFen: 5_000 },
      now,
      random,
    )
    const other = await recordPurchase(
      db,
      clerkA,
      { visitToken: scan.data.visitToken, orderNo: 'A1', amountFen: 6_000 },
      now,
      random,
    )

    expect(other.ok || other.error.code).toBe('DUPLICATE_ORDER')
    expect(store.get('members', member._id)).toMatchObject({ points: 50 })
  })

  it('refuses a visit token used by a clerk of another store', async () => {
    const { db, member, clerkA, clerkB } = await registeredChain()
    const scan = await scanMember(db, clerkA, codeOf(member, now), now, random)
    if (!scan.ok) throw new Error(scan.error.code)
    const input = { visitToken: scan.data.visitToken, orderNo: 'A1', amountFen: 5_000 }
    const refused = await recordPurchase(db, clerkB, input, now, random)

    expect(refused.ok || refused.error.code).toBe('NOT_ALLOWED')
  })

  it('refuses a visit token after it expired', async () => {
    const { db, member, clerkA } = await registeredChain()
    const scan = await scanMember(db, clerkA, codeOf(member, now), now, random)
    if (!scan.ok) throw new Error(scan.error.code)
    const later = new Date(now.getTime() + 60 * 60 * 1000)
    const input = { visitToken: scan.data.visitToken, orderNo: 'A1', amountFen: 5_000 }
    const refused = await recordPurchase(db, clerkA, input, later, random)

    expect(refused.ok || refused.error.code).toBe('VISIT_EXPIRED')
  })

  it('makes the first store that served a member without a store QR their home store', async () => {
    const { db, store, clerkB } = await createSmallChain()
    await registerMember(db, registration({ storeId: null }), now, random)
    const member = (await findMemberByOpenid(db, 'o-member-1')) as MemberDoc
    const scan = await scanMember(db, clerkB, codeOf(member, now), now, random)
    if (!scan.ok) throw new Error(scan.error.code)

    await recordPurchase(
      db,
      clerkB,
      { visitToken: scan.data.visitToken, orderNo: 'B1', amountFen: 100 },
      now,
      random,
    )

    expect(store.get('members', member._id)).toMatchObject({ homeStoreId: 'sB' })
  })
})
