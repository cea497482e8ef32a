import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser, openAs, type PickedIdentity } from './browser'
import { fillTaroInput } from './taro-h5'

let env: TestCloud
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page

const clerk = { openid: 'o-clerk-sA', role: 'clerk', name: '店员' }
const manager = { openid: 'o-manager-sA', role: 'store_manager', name: '店长' }
const hqAdmin = { openid: 'o-hq-admin', role: 'hq_admin', name: '总部' }

/** A member of sA who spends ¥100 there with a ¥5 coupon HQ pays for. */
async function seedRedemptionAtStoreA() {
  const { code: phoneCode } = await env.dev<{ code: string }>('phone-code', {
    phone: '13800138000',
  })
  const terms = await env.call('member', { action: 'terms' }, 'o-wang')
  const registered = await env.call(
    'member',
    { action: 'register', phoneCode, consentVersion: terms.data.version, storeId: 'sA' },
    'o-wang',
  )
  const memberId = registered.data.card.memberId
  const template = await env.call(
    'hq',
    {
      action: 'createCouponTemplate',
      title: '总部五元券',
      kind: 'cash',
      valueFen: 500,
      validDays: 30,
      stores: 'all',
      costBearer: 'hq',
    },
    hqAdmin.openid,
  )
  const issued = await env.call(
    'hq',
    { action: 'issueCoupons', templateId: template.data.templateId, memberIds: [memberId] },
    hqAdmin.openid,
  )
  const { code } = await env.dev<{ code: string }>('member-code', { memberId })
  const scan = await env.call('staff', { action: 'scan', code }, clerk.openid)
  const redeemed = await env.call(
    'staff',
    {
      action: 'redeemCoupon',
      visitToken: scan.data.visitToken,
      couponId: issued.data.issued[0].couponId,
      orderNo: 'SETTLE-1',
      amountFen: 10_000,
    },
    clerk.openid,
  )
  expect(redeemed.ok).toBe(true)
  const purchase = { visitToken: scan.data.visitToken, orderNo: 'SETTLE-1', amountFen: 10_000 }
  const recorded = await env.call('staff', { action: 'recordPurchase', ...purchase }, clerk.openid)
  expect(recorded.ok).toBe(true)
}

beforeAll(async () => {
  buildH5IfStale(() => {})
  env = await startTestCloud()
  await upsertStaff(env.db, {
    _id: hqAdmin.openid,
    openid: hqAdmin.openid,
    name: hqAdmin.name,
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  })
  await seedRedemptionAtStoreA()
  browser = await launchBrowser()
  page = await browser.context.newPage()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await env?.close()
})

function open(identity: PickedIdentity, route: string) {
  return openAs(page, env.url, identity, route)
}

describe("a store manager's settlement page, in the h5 build", () => {
  it("takes a store manager from the home to their store's figures and its CSV", async () => {
    await open(manager, '/staff/pages/home/index')
    await page.getByTestId('settlement-link').click()
    await page.getByTestId('staff-settlement-page').waitFor()

    // A store manager settles their own store: there is no store to choose.
    expect(await page.getByTestId('settlement-store-input').count()).toBe(0)

    await page.getByTestId('load-settlement').click()
    await page.getByTestId('settlement-report').waitFor()
    const stores = await page.getByTestId('settlement-store').allInnerTexts()
    const pairs = await page.getByTestId('settlement-pair').allInnerTexts()

    expect(stores).toHaveLength(1)
    expect(stores[0]).toContain('鲜邻超市·徐汇区店')
    expect(stores[0]).toContain('为他店核销 5.00 元')
    expect(pairs).toEqual([expect.stringContaining('总部 应付 鲜邻超市·徐汇区店：5.00 元')])
    expect(await page.getByTestId('settlement-totals').innerText()).toContain('共核销 1 张')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-settlement').click(),
    ])
    const csv = await readFile(await download.path(), 'utf8')

    expect(download.suggestedFilename()).toMatch(/^settlement-\d{4}-\d{2}-sA\.csv$/)
    expect(csv).toContain('鲜邻超市·徐汇区店')
    expect(await page.getByTestId('settlement-notice').innerText()).toContain('已导出')
  })

  it("tells a store manager who opens the HQ coupons page that it is HQ's, and links theirs", async () => {
    await open(manager, '/hq/pages/coupons/index')
    await page.getByTestId('hq-coupons-refused').waitFor()

    expect(await page.getByTestId('hq-coupons-refused').innerText()).toContain('总部的页面')
    expect(await page.getByText('还没有券模板').count()).toBe(0)

    await page.getByTestId('settlement-link').click()
    await page.getByTestId('load-settlement').waitFor()
  })

  it('lets HQ choose the settlement store by its name', async () => {
    await open(hqAdmin, '/hq/pages/coupons/index')
    await fillTaroInput(page, 'settlement-store-input', '徐汇')
    await page.getByTestId('settlement-store-choice').filter({ hasText: '徐汇区店' }).click()

    expect(await page.getByTestId('settlement-store-chosen').innerText()).toBe('门店编号 sA')

    await page.getByTestId('load-settlement').click()
    await page.getByTestId('settlement-report').waitFor()
    const stores = await page.getByTestId('settlement-store').allInnerTexts()

    expect(stores).toHaveLength(1)
    expect(stores[0]).toContain('鲜邻超市·徐汇区店')
  })
})
