import { CARD_CODE_STEP_SECONDS, makeCardCode } from '../../typings/card-code'
import { acceptCardCode } from '../../cloudfunctions/domain/card-codes'
import { deleteAccount } from '../../cloudfunctions/domain/account-deletion'
import { findMemberByOpenid, registerMember } from '../../cloudfunctions/domain/members'
import type { MemberDoc } from '../../cloudfunctions/domain/models'
import { defaultSettings } from '../../cloudfunctions/domain/settings'
import { createLogger } from '../../cloudfunctions/platform/logger'
import { createSmallChain, random } from '../support/direct-chain'

const now = new Date('2026-12-03T02:00:00.000Z')
const stepMs = CARD_CODE_STEP_SECONDS * 1000

async function brandWithMember(openid = 'o-member-1') {
  const chain = await createSmallChain()
  const registration = {
    openid,
    unionid: null,
    phone: '+8613800138000',
    storeId: 'sA',
    name: '王小明',
    birthday: '1990-05-20',
    consentVersion: defaultSettings.terms.version,
  }
  const registered = await registerMember(chain.db, registration, now, random)
  if (!registered.ok) throw new Error(registered.error.code)

  return { ...chain, member: (await findMemberByOpenid(chain.db, openid)) as MemberDoc }
}

const at = (offsetSteps: number) => new Date(now.getTime() + offsetSteps * stepMs)

function codeOf(member: MemberDoc, when: Date, variant = 0) {
  return makeCardCode(member.codeSecret, member.memberNo, when.getTime(), variant)
}

async function refusalOf(promise: ReturnType<typeof acceptCardCode>) {
  const result = await promise

  return result.ok ? 'ACCEPTED' : result.error.code
}

describe('card codes refused at the counter', () => {
  it('refuses a code of another brand’s environment, even for the same member number', async () => {
    const brandA = await brandWithMember()
    const brandB = await brandWithMember()
    const sameNumberElsewhere = { ...brandB.member, memberNo: brandA.member.memberNo }

    expect(await refusalOf(acceptCardCode(brandA.db, codeOf(brandB.member, now), now))).toBe(
      'CODE_INVALID',
    )
    expect(await refusalOf(acceptCardCode(brandA.db, codeOf(sameNumberElsewhere, now), now))).toBe(
      'CODE_INVALID',
    )
  })

  it('refuses malformed codes: wrong length, wrong prefix, letters', async () => {
    const { db, member } = await brandWithMember()
    const good = codeOf(member, now)

    for (const bad of [good.slice(1), `${good}0`, `77${good.slice(2)}`, good.replace(/\d$/, 'x')]) {
      expect(await refusalOf(acceptCardCode(db, bad, now))).toBe('CODE_INVALID')
    }
  })

  it('tolerates exactly one step of skew either way, and no more', async () => {
    const { db, member } = await brandWithMember()

    expect(await refusalOf(acceptCardCode(db, codeOf(member, at(1)), now))).toBe('ACCEPTED')
    expect(await refusalOf(acceptCardCode(db, codeOf(member, at(-1)), now))).toBe('ACCEPTED')
    expect(await refusalOf(acceptCardCode(db, codeOf(member, at(2)), now))).toBe('CODE_INVALID')
    expect(await refusalOf(acceptCardCode(db, codeOf(member, at(-2)), now))).toBe('CODE_EXPIRED')
  })

  it('accepts each refreshed variant once, and refuses a screenshot used again', async () => {
    const { db, member } = await brandWithMember()
    const first = codeOf(member, now, 0)
    const refreshed = codeOf(member, now, 1)

    expect(refreshed).not.toBe(first)
    expect(await refusalOf(acceptCardCode(db, first, now))).toBe('ACCEPTED')
    expect(await refusalOf(acceptCardCode(db, refreshed, now))).toBe('ACCEPTED')
    expect(await refusalOf(acceptCardCode(db, first, now))).toBe('CODE_USED')
  })

  it('refuses every code of a deleted account, even one signed before the deletion', async () => {
    const { db, member } = await brandWithMember()
    const code = codeOf(member, now)
    await deleteAccount(db, member._id, { now, randomBytes: random, requestId: 'r1' })

    expect(await refusalOf(acceptCardCode(db, code, now))).toBe('CODE_INVALID')
    expect(
      await refusalOf(acceptCardCode(db, makeCardCode('', member.memberNo, now.getTime()), now)),
    ).toBe('CODE_INVALID')
  })
})

describe('card code secrets in logs', () => {
  it('masks a card secret and a card code in a log line', () => {
    const lines: string[] = []
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line))
    const previous = process.env.TONGKA_LOG
    delete process.env.TONGKA_LOG
    const secret = 'ab'.repeat(32)

    try {
      createLogger('test').info('scan', { codeSecret: secret, code: '88123456789012345678' })
    } finally {
      process.env.TONGKA_LOG = previous
      spy.mockRestore()
    }

    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain(secret)
    expect(lines[0]).not.toContain('88123456789012345678')
  })
})

describe('old screenshots', () => {
  it('calls a code from hours ago expired, not invalid', async () => {
    const { db, member } = await brandWithMember()
    const hoursAgo = codeOf(member, new Date(now.getTime() - 5 * 60 * 60 * 1000))

    expect(await refusalOf(acceptCardCode(db, hoursAgo, now))).toBe('CODE_EXPIRED')
  })
})
