import { randomBytes } from 'node:crypto'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import type { CouponDoc } from '../../cloudfunctions/domain/coupons'
import { registerMember } from '../../cloudfunctions/domain/members'
import { defaultPointsRules } from '../../cloudfunctions/domain/points-rules'
import type { PointsRules } from '../../typings/points'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

const HQ = 'o-hq-admin'
let env: TestCloud
let clockMs = 0
let memberCount = 0
let giftTemplateId = ''

const bytes = (length: number) => new Uint8Array(randomBytes(length))

beforeAll(async () => {
  env = await startTestCloud()
  await upsertStaff(env.db, {
    _id: HQ,
    openid: HQ,
    name: HQ,
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  })
  // 10:00 in Shanghai on 10 May 2026, before every birthday below.
  await setClock('2026-05-10T02:00:00.000Z')
  const created = await env.call(
    'hq',
    {
      action: 'createCouponTemplate',
      title: '生日蛋糕券',
      kind: 'gift',
      valueFen: 3_000,
      validDays: 30,
      costBearer: 'hq',
    },
    HQ,
  )
  if (!created.ok) throw new Error(JSON.stringify(created))
  giftTemplateId = created.data.templateId
  const saved = await env.call(
    'hq',
    { action: 'updateRules', rules: rulesGiving(giftTemplateId) },
    HQ,
  )
  expect(saved.ok).toBe(true)
})

afterAll(async () => {
  await env.close()
})

/** Frozen, so that a test standing on a Shanghai midnight stays on it. */
async function setClock(iso: string) {
  clockMs = Date.parse(iso)
  await env.dev('clock', { now: iso, freeze: true })
}

function rulesGiving(templateId: string | null): PointsRules {
  return {
    ...defaultPointsRules,
    tiers: defaultPointsRules.tiers.map((rule) => ({
      ...rule,
      birthdayGiftTemplateId: templateId,
    })),
  }
}

/** A member made directly in the store: registration itself is tested elsewhere. */
async function newMember(birthday: string | null): Promise<string> {
  memberCount += 1
  const registered = await registerMember(
    env.db,
    {
      openid: `o-birthday-${memberCount}`,
      unionid: null,
      phone: `+86139300${String(memberCount).padStart(5, '0')}`,
      storeId: 'sA',
      name: null,
      birthday,
      consentVersion: '2026-11',
    },
    new Date(clockMs),
    bytes,
  )
  if (!registered.ok) throw new Error(registered.error.message)

  return registered.data.memberId
}

const birthdayCoupons = (memberId: string) =>
  env.db.find<CouponDoc>('coupons', { memberId, source: 'birthday' })

const trigger = async () => (await env.dev('trigger/birthdayGreeting')).result

describe('the birthdayGreeting timer', () => {
  it('is bundled with its trigger and scheduled by the local cloud', () => {
    expect(env.cloud.scheduler.listTriggers()).toContainEqual({
      functionName: 'birthdayGreeting',
      triggerName: 'birthdaysDaily',
      config: '0 */10 * * * * *',
    })
  })

  it('gives a member born today exactly one gift coupon though the timer runs twice', async () => {
    const phoneCode = (await env.dev('phone-code', { phone: '13930099001' })).code
    const registered = await env.call(
      'member',
      { action: 'register', phoneCode, consentVersion: '2026-11', birthday: '1990-05-17' },
      'o-birthday-registered',
    )
    const registeredId = registered.data.card.memberId
    const yearless = await newMember('05-17')
    const otherDay = await newMember('1990-05-16')
    const noBirthday = await newMember(null)
    await setClock('2026-05-17T02:00:00.000Z')

    const first = await trigger()
    const second = await trigger()

    expect(first).toMatchObject({ ok: true, data: { date: '2026-05-17', status: 'done' } })
    expect(second.data.giftsIssued).toBe(first.data.giftsIssued)
    const wallet = await env.call('member', { action: 'coupons' }, 'o-birthday-registered')
    expect(wallet.data.coupons).toEqual([
      expect.objectContaining({
        templateId: giftTemplateId,
        title: '生日蛋糕券',
        status: 'usable',
      }),
    ])
    expect(await birthdayCoupons(registeredId)).toHaveLength(1)
    expect(await birthdayCoupons(yearless)).toHaveLength(1)
    expect(await birthdayCoupons(otherDay)).toEqual([])
    expect(await birthdayCoupons(noBirthday)).toEqual([])
  })

  it('counts the Shanghai day: 16:00 UTC is already tomorrow’s birthdays', async () => {
    const today = await newMember('1990-05-20')
    const tomorrow = await newMember('1990-05-21')
    // 23:59:59.999 in Shanghai on 20 May, then the next instant, 00:00 on 21 May.
    await setClock('2026-05-20T15:59:59.999Z')
    const lastMoment = await trigger()
    await setClock('2026-05-20T16:00:00.000Z')

    const midnight = await trigger()

    expect(lastMoment.data.date).toBe('2026-05-20')
    expect(midnight.data.date).toBe('2026-05-21')
    expect(await birthdayCoupons(today)).toHaveLength(1)
    expect((await birthdayCoupons(tomorrow))[0]?.issuedAt).toBe('2026-05-20T16:00:00.000Z')
  })

  it('greets 29 February on the 28th of a common year and on the 29th of a leap year', async () => {
    const leapling = await newMember('2000-02-29')
    await setClock('2027-02-28T02:00:00.000Z')
    await trigger()
    expect(await birthdayCoupons(leapling)).toHaveLength(1)

    await setClock('2028-02-28T02:00:00.000Z')
    await trigger()
    expect(await birthdayCoupons(leapling)).toHaveLength(1)

    await setClock('2028-02-29T02:00:00.000Z')
    await trigger()
    const coupons = await birthdayCoupons(leapling)
    expect(coupons.map((coupon) => coupon.issuedAt).sort()).toEqual([
      '2027-02-28T02:00:00.000Z',
      '2028-02-29T02:00:00.000Z',
    ])
  })

  it('resumes the day after the member the last run stopped at', async () => {
    const memberIds = [await newMember('1990-06-01'), await newMember('1991-06-01')].sort()
    // A run that handled the first member, then stopped before the day was done.
    await env.db.set('jobs', {
      _id: 'birthdayGreeting.2026-06-01',
      date: '2026-06-01',
      status: 'running',
      cursor: memberIds[0],
      giftsIssued: 1,
      alreadyGiven: 0,
      withoutGift: 0,
      refused: {},
      chunks: 1,
      updatedAt: '2026-06-01T02:00:00.000Z',
    })
    await setClock('2026-06-01T02:10:00.000Z')

    const resumed = await trigger()

    expect(resumed.data).toMatchObject({ status: 'done', giftsIssued: 2 })
    expect(await birthdayCoupons(memberIds[0])).toEqual([])
    expect(await birthdayCoupons(memberIds[1])).toHaveLength(1)
  })
})

describe('the birthday gift in HQ’s rules', () => {
  it('refuses a gift template that does not exist and writes nothing', async () => {
    const before = env.snapshot()

    const refused = await env.call(
      'hq',
      { action: 'updateRules', rules: rulesGiving('Tnosuchtemplate') },
      HQ,
    )

    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(refused.error.message).toContain('Tnosuchtemplate')
    expect(env.snapshot()).toBe(before)
  })

  it('keeps the gift template with the words HQ shows members', async () => {
    const rules = await env.call('hq', { action: 'getRules' }, HQ)

    expect(rules.data.tiers[1]).toMatchObject({
      tier: 'silver',
      birthdayGift: '生日当月双倍积分',
      birthdayGiftTemplateId: giftTemplateId,
    })
  })
})
