import { deleteAccount } from '../../cloudfunctions/domain/account-deletion'
import {
  listGreetedMonthDays,
  runBirthdayGifts,
  type BirthdayGiftLimits,
} from '../../cloudfunctions/domain/birthday-gifts'
import { createCouponTemplate } from '../../cloudfunctions/domain/coupon-templates'
import type { CouponDoc } from '../../cloudfunctions/domain/coupons'
import { updateProfile } from '../../cloudfunctions/domain/member-profile'
import { registerMember } from '../../cloudfunctions/domain/members'
import type { MemberDoc, StaffDoc } from '../../cloudfunctions/domain/models'
import { defaultPointsRules, savePointsRules } from '../../cloudfunctions/domain/points-rules'
import type { Database } from '../../cloudfunctions/domain/ports'
import type { Tier } from '../../typings/common'
import { createSmallChain, random } from '../support/direct-chain'

const hq: StaffDoc = {
  _id: 'o-hq-admin',
  openid: 'o-hq-admin',
  name: 'HQ',
  role: 'hq_admin',
  storeId: null,
  regionId: null,
  isActive: true,
}
// 10:00 in Shanghai on 17 May 2026.
const MAY_17 = new Date('2026-05-17T02:00:00.000Z')
let memberCount = 0

async function newMember(db: Database, birthday: string | null, now = MAY_17): Promise<string> {
  memberCount += 1
  const registered = await registerMember(
    db,
    {
      openid: `o-birthday-${memberCount}`,
      unionid: null,
      phone: `+86139200${String(memberCount).padStart(5, '0')}`,
      storeId: 'sA',
      name: null,
      birthday,
      consentVersion: '2026-11',
    },
    now,
    random,
  )
  if (!registered.ok) throw new Error(registered.error.message)

  return registered.data.memberId
}

async function createGiftTemplate(db: Database, fields: Record<string, unknown> = {}) {
  const created = await createCouponTemplate(
    db,
    hq,
    {
      title: '生日蛋糕券',
      kind: 'gift',
      valueFen: 3_000,
      validDays: 30,
      costBearer: 'hq',
      ...fields,
    },
    { now: MAY_17, requestId: 'r-template', randomBytes: random },
  )
  if (!created.ok) throw new Error(created.error.message)

  return created.data.templateId
}

async function giveTierGifts(db: Database, gifts: Partial<Record<Tier, string | null>>) {
  const rules = {
    ...defaultPointsRules,
    tiers: defaultPointsRules.tiers.map((rule) => ({
      ...rule,
      birthdayGiftTemplateId: gifts[rule.tier] ?? null,
    })),
  }
  const saved = await savePointsRules(db, hq, rules, {
    now: MAY_17,
    requestId: 'r-rules',
    randomBytes: random,
  })
  if (!saved.ok) throw new Error(saved.error.message)
}

const run = (db: Database, now = MAY_17, limits?: BirthdayGiftLimits) =>
  runBirthdayGifts(db, { now, requestId: 'r-birthday', randomBytes: random }, limits)

const birthdayCoupons = (db: Database, memberId: string) =>
  db.find<CouponDoc>('coupons', { memberId, source: 'birthday' })

describe('the birthdays of a day', () => {
  it('greets 02-29 birthdays on 02-28 of a common year and on 02-29 of a leap year', () => {
    expect(listGreetedMonthDays('2027-02-28')).toEqual(['02-28', '02-29'])
    expect(listGreetedMonthDays('2028-02-28')).toEqual(['02-28'])
    expect(listGreetedMonthDays('2028-02-29')).toEqual(['02-29'])
    expect(listGreetedMonthDays('2027-03-01')).toEqual(['03-01'])
  })
})

describe('the birthday gift', () => {
  it('gives the tier’s coupon to each member born today, with or without the year', async () => {
    const { db } = await createSmallChain()
    const templateId = await createGiftTemplate(db)
    await giveTierGifts(db, { regular: templateId })
    const withYear = await newMember(db, '1990-05-17')
    const withoutYear = await newMember(db, '05-17')
    const tomorrow = await newMember(db, '1990-05-18')
    const noBirthday = await newMember(db, null)

    const report = await run(db)

    expect(report).toMatchObject({ date: '2026-05-17', status: 'done', giftsIssued: 2 })
    for (const memberId of [withYear, withoutYear]) {
      const coupons = await birthdayCoupons(db, memberId)
      expect(coupons).toHaveLength(1)
      expect(coupons[0]).toMatchObject({ templateId, title: '生日蛋糕券', status: 'usable' })
    }
    expect(await birthdayCoupons(db, tomorrow)).toEqual([])
    expect(await birthdayCoupons(db, noBirthday)).toEqual([])
  })

  it('gives what the member’s tier names, and nothing for a tier without a coupon', async () => {
    const { db } = await createSmallChain()
    const goldGift = await createGiftTemplate(db, { title: '金卡生日礼盒' })
    await giveTierGifts(db, { gold: goldGift })
    const regular = await newMember(db, '1990-05-17')
    const gold = await newMember(db, '1991-05-17')
    await db.update('members', gold, { set: { tier: 'gold' } })

    const report = await run(db)

    expect(report).toMatchObject({ giftsIssued: 1, withoutGift: 1 })
    expect(await birthdayCoupons(db, regular)).toEqual([])
    expect((await birthdayCoupons(db, gold)).map((coupon) => coupon.templateId)).toEqual([goldGift])
  })

  it('issues and audits as the system, once, when the day runs again', async () => {
    const { db } = await createSmallChain()
    const templateId = await createGiftTemplate(db)
    await giveTierGifts(db, { regular: templateId })
    const memberId = await newMember(db, '1990-05-17')

    await run(db)
    const later = await run(db, new Date('2026-05-17T09:00:00.000Z'))

    expect(later).toMatchObject({ status: 'done', giftsIssued: 1 })
    expect(await birthdayCoupons(db, memberId)).toHaveLength(1)
    const entries = await db.find('auditLog', { memberId, action: 'issueCoupon' })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { openid: 'system:birthdayGreeting', role: 'system', storeId: null },
      detail: { templateId, source: 'birthday' },
      requestId: 'r-birthday',
    })
  })

  it('works in chunks, each run resuming after the last member it handled', async () => {
    const { db } = await createSmallChain()
    const templateId = await createGiftTemplate(db)
    await giveTierGifts(db, { regular: templateId })
    const memberIds = []
    for (let i = 0; i < 5; i += 1) memberIds.push(await newMember(db, `198${i}-05-17`))
    const limits = { membersPerChunk: 2, chunksPerRun: 1 }
    // Every member here was stored with a month-day: nothing is left to write before the gifts.
    await db.set('jobs', {
      _id: 'birthdayMonthDays',
      status: 'done',
      cursor: '',
      membersUpdated: 0,
    })

    const reports = []
    for (let i = 0; i < 4; i += 1) reports.push(await run(db, MAY_17, limits))

    expect(reports.map((report) => [report.status, report.giftsIssued])).toEqual([
      ['running', 2],
      ['running', 4],
      ['running', 5],
      ['done', 5],
    ])
    for (const memberId of memberIds) expect(await birthdayCoupons(db, memberId)).toHaveLength(1)
  })

  it('gives no second gift when a run cut short is repeated from its start', async () => {
    const { db } = await createSmallChain()
    const templateId = await createGiftTemplate(db)
    await giveTierGifts(db, { regular: templateId })
    const memberIds = [await newMember(db, '1990-05-17'), await newMember(db, '1991-05-17')]
    await run(db)
    // As if the run had stopped after the gifts committed and before its progress was written.
    await db.update('jobs', 'birthdayGreeting.2026-05-17', {
      set: { status: 'running', cursor: '', giftsIssued: 0 },
    })

    const repeated = await run(db)

    expect(repeated).toMatchObject({ status: 'done', giftsIssued: 0, alreadyGiven: 2 })
    for (const memberId of memberIds) expect(await birthdayCoupons(db, memberId)).toHaveLength(1)
  })

  it('gives one gift a year whatever HQ or the member changes', async () => {
    const { db } = await createSmallChain()
    const first = await createGiftTemplate(db)
    const second = await createGiftTemplate(db, { title: '生日礼盒' })
    await giveTierGifts(db, { regular: first })
    const memberId = await newMember(db, '1990-05-17')
    await run(db)
    await giveTierGifts(db, { regular: second })
    const context = { now: MAY_17, randomBytes: random, requestId: 'r-profile' }
    await updateProfile(db, memberId, { birthday: '1990-05-18' }, context)

    const nextDay = await run(db, new Date('2026-05-18T02:00:00.000Z'))
    const nextYear = await run(db, new Date('2027-05-18T02:00:00.000Z'))

    expect(nextDay).toMatchObject({ giftsIssued: 0, alreadyGiven: 1 })
    expect(nextYear).toMatchObject({ giftsIssued: 1 })
    const coupons = await birthdayCoupons(db, memberId)
    expect(coupons.map((coupon) => coupon.templateId).sort()).toEqual([first, second].sort())
  })

  it('records stock and per-member refusals by code in the job and gives the others', async () => {
    const { db } = await createSmallChain()
    const scarce = await createGiftTemplate(db, { stock: 1 })
    const limited = await createGiftTemplate(db, { perMemberLimit: 1 })
    await giveTierGifts(db, { regular: scarce, silver: limited })
    await newMember(db, '1990-05-17')
    await newMember(db, '1991-05-17')
    const silver = await newMember(db, '1992-05-17')
    await db.update('members', silver, { set: { tier: 'silver' } })
    await db.set('couponCounters', { _id: `m.${limited}.${silver}`, issued: 1 })

    const report = await run(db)

    expect(report).toMatchObject({
      status: 'done',
      giftsIssued: 1,
      refused: { COUPON_OUT_OF_STOCK: 1, COUPON_LIMIT_REACHED: 1 },
    })
    const job = await db.get('jobs', 'birthdayGreeting.2026-05-17')
    expect(job?.refused).toEqual({ COUPON_OUT_OF_STOCK: 1, COUPON_LIMIT_REACHED: 1 })
    expect(await db.find('coupons', { source: 'birthday' })).toHaveLength(1)
  })

  it('gives nothing to a deleted member', async () => {
    const { db } = await createSmallChain()
    const templateId = await createGiftTemplate(db)
    await giveTierGifts(db, { regular: templateId })
    const memberId = await newMember(db, '1990-05-17')
    await deleteAccount(db, memberId, { now: MAY_17, randomBytes: random, requestId: 'r-delete' })

    const report = await run(db)

    expect(report).toMatchObject({ status: 'done', giftsIssued: 0 })
    expect(await birthdayCoupons(db, memberId)).toEqual([])
    const deleted = await db.get<MemberDoc>('members', memberId)
    expect(deleted?.birthdayMonthDay).toBeNull()
  })

  it('keeps the month-day beside the birthday through registration and profile edits', async () => {
    const { db } = await createSmallChain()
    const memberId = await newMember(db, '1990-05-17')
    const context = { now: MAY_17, randomBytes: random, requestId: 'r-profile' }
    const monthDay = async () => (await db.get<MemberDoc>('members', memberId))?.birthdayMonthDay

    expect(await monthDay()).toBe('05-17')
    await updateProfile(db, memberId, { birthday: '02-29' }, context)
    expect(await monthDay()).toBe('02-29')
    await updateProfile(db, memberId, { name: '李' }, context)
    expect(await monthDay()).toBe('02-29')
    await updateProfile(db, memberId, { birthday: null }, context)
    expect(await monthDay()).toBeNull()
  })

  it('first writes the month-day of members stored without one, then gives gifts', async () => {
    const { db } = await createSmallChain()
    const templateId = await createGiftTemplate(db)
    await giveTierGifts(db, { regular: templateId })
    const memberIds = []
    for (let i = 0; i < 3; i += 1) {
      const memberId = await newMember(db, i === 2 ? '1990-12-01' : `198${i}-05-17`)
      await db.update('members', memberId, { unset: ['birthdayMonthDay'] })
      memberIds.push(memberId)
    }
    const limits = { membersPerChunk: 2, chunksPerRun: 1 }

    const first = await run(db, MAY_17, limits)
    const second = await run(db, MAY_17, limits)
    const third = await run(db, MAY_17, limits)

    expect([first, second].map((report) => [report.status, report.giftsIssued])).toEqual([
      ['running', 0],
      ['running', 0],
    ])
    expect(third).toMatchObject({ status: 'running', giftsIssued: 2 })
    const stored = await db.find<MemberDoc>('members', { _id: { $in: memberIds } })
    expect(stored.map((member) => member.birthdayMonthDay).sort()).toEqual([
      '05-17',
      '05-17',
      '12-01',
    ])
    expect(await db.get('jobs', 'birthdayMonthDays')).toMatchObject({
      status: 'done',
      membersUpdated: 3,
    })
  })
})
