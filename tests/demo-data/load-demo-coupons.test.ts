import path from 'node:path'
import { listExchangeable, listWallet } from '../../cloudfunctions/domain/coupons'
import { findMemberByOpenid, registerAndBuildCard } from '../../cloudfunctions/domain/members'
import { loadSettings } from '../../cloudfunctions/domain/settings'
import { createDirectDatabase } from '../../local-cloud/direct-database'
import { DocumentStore } from '../../local-cloud/store'
import { buildDemoPlan, type DemoPlan } from '../../scripts/demo-data/build-demo-plan'
import { loadDemoData, type DemoLoadReport } from '../../scripts/demo-data/load-demo-data'
import { random } from '../support/direct-chain'

const dataDir = path.resolve(__dirname, '../../../shared/data')
const today = new Date('2025-06-18T10:00:00+08:00')
const MEMBERS_LOADED = 60

/** The plan cut to its first members and their purchases, so it loads in a moment. */
function slicePlan(plan: DemoPlan): DemoPlan {
  const members = plan.members.slice(0, MEMBERS_LOADED)
  const households = new Set(members.map((member) => member.householdId))
  const hqIssues = plan.coupons.hqIssues.map((batch) => ({
    ...batch,
    householdIds: batch.householdIds.filter((id) => households.has(id)),
  }))

  return {
    ...plan,
    members,
    purchases: plan.purchases.filter((purchase) => households.has(purchase.householdId)),
    coupons: { ...plan.coupons, hqIssues },
  }
}

let plan: DemoPlan
let db: ReturnType<typeof createDirectDatabase>
let report: DemoLoadReport

beforeAll(async () => {
  plan = slicePlan(await buildDemoPlan({ dataDir, today }))
  db = createDirectDatabase(DocumentStore.open(':memory:'))
  report = await loadDemoData(db, plan)
}, 120_000)

describe('the demo chain loaded through the domain', () => {
  it('gives the chosen members HQ coupons in their wallets, one each', async () => {
    const thanked = plan.coupons.hqIssues.flatMap((batch) => batch.householdIds)
    const member = plan.members.find((candidate) => candidate.householdId === thanked[0])!
    const doc = await findMemberByOpenid(db, member.openid)
    const wallet = await listWallet(db, doc!._id, { status: 'usable' }, today)

    expect(thanked.length).toBeGreaterThan(0)
    expect(report.couponTemplates).toBe(plan.coupons.templates.length)
    expect(report).toMatchObject({ couponsIssued: thanked.length, couponsRefused: {} })
    expect(wallet.coupons.map((coupon) => coupon.title)).toEqual(['老会员回馈 满100减20'])
  })

  it('offers a member with points the templates to take for points', async () => {
    const richest = (
      await db.find<any>('members', {}, { orderBy: [['points', 'desc']], limit: 1 })
    )[0]
    const offers = await listExchangeable(db, richest, undefined, today)
    const exchangeable = plan.coupons.templates.filter((entry) => entry.template.exchangePoints)

    expect(richest.points).toBeGreaterThanOrEqual(300)
    expect(offers.templates.map((offer) => offer.title).sort()).toEqual(
      exchangeable.map((entry) => entry.template.title).sort(),
    )
  })

  it('gives a member who registers after the load the welcome gift', async () => {
    const { terms } = await loadSettings(db)
    const registration = {
      openid: 'o-new-demo-member',
      unionid: null,
      phone: '+8613700137000',
      storeId: plan.stores[0].storeId,
      name: null,
      birthday: null,
      consentVersion: terms.version,
    }
    const registered = await registerAndBuildCard(db, registration, today, random)

    expect(registered.ok && registered.data.card.couponCount).toBe(1)
  })
})
