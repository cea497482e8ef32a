import type { Page } from 'playwright-core'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import type { MemberDoc } from '../../cloudfunctions/domain/models'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser, openAs, type PickedIdentity } from './browser'
import { fillTaroInput } from './taro-h5'

let env: TestCloud
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
let memberId: string

const clerk = { openid: 'o-clerk-sA', role: 'clerk', name: '店员' }
const hqAdmin = { openid: 'o-hq-admin', role: 'hq_admin', name: '总部' }
const regionManager = { openid: 'o-region-east', role: 'region_manager', name: '区域经理' }

beforeAll(async () => {
  buildH5IfStale(() => {})
  env = await startTestCloud()
  browser = await launchBrowser()
  page = await browser.context.newPage()
  await upsertStaff(env.db, {
    _id: hqAdmin.openid,
    openid: hqAdmin.openid,
    name: hqAdmin.name,
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  })

  const { code: phoneCode } = await env.dev<{ code: string }>('phone-code', {
    phone: '13800138000',
  })
  const terms = await env.call('member', { action: 'terms' }, 'o-wang')
  const registered = await env.call(
    'member',
    { action: 'register', phoneCode, consentVersion: terms.data.version, storeId: 'sA' },
    'o-wang',
  )
  memberId = registered.data.card.memberId
  const { code } = await env.dev<{ code: string }>('member-code', { memberId })
  const scan = await env.call('staff', { action: 'scan', code }, clerk.openid)
  const purchase = { visitToken: scan.data.visitToken, orderNo: 'LINK-1', amountFen: 10_000 }
  await env.call('staff', { action: 'recordPurchase', ...purchase }, clerk.openid)
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await env?.close()
})

/** Opens the staff home as the given caller, as the local identity picker would have chosen. */
async function openHomeAs(identity: PickedIdentity) {
  await openAs(page, env.url, identity, '/staff/pages/home/index')
  await page.getByTestId('staff-links').waitFor()
}

/** The visible label of the field that holds an input. */
async function labelOf(testId: string): Promise<string> {
  const field = page.locator('.field', { has: page.getByTestId(testId) })

  return field.locator('.field__label').innerText()
}

describe('the pages the staff home and HQ open by their links, in the h5 build', () => {
  it('takes a clerk from the home to the refund form, whose fields keep their labels', async () => {
    await openHomeAs(clerk)
    await page.getByTestId('points-link').click()
    await page.getByTestId('staff-points-page').waitFor()
    await fillTaroInput(page, 'refund-order-input', 'LINK-1')
    await fillTaroInput(page, 'refund-no-input', 'POS-R-1')
    await fillTaroInput(page, 'refund-amount-input', '30')
    await Promise.all([
      page.waitForResponse('**/api/functions/staff'),
      page.getByTestId('refund-submit').click(),
    ])

    expect(await page.getByTestId('staff-points-notice').innerText()).toBe('已扣回 30 积分')
    expect(await labelOf('refund-order-input')).toBe('订单号')
    expect(await labelOf('refund-no-input')).toBe('退款单号')
    expect(await labelOf('refund-amount-input')).toBe('金额（元）')
    expect((await env.db.get<MemberDoc>('members', memberId))?.points).toBe(70)
  })

  it('says a refund too large is too large, and takes the last success away with it', async () => {
    await fillTaroInput(page, 'refund-no-input', 'POS-R-2')
    await fillTaroInput(page, 'refund-amount-input', '99999999')
    await page.getByTestId('refund-submit').click()

    expect(await page.getByTestId('staff-points-error').innerText()).toBe('退款金额最多 1000000 元')
    expect(await page.getByTestId('staff-points-notice').count()).toBe(0)
  })

  it('takes HQ from the home to the rules and to the coupons, which HQ may change', async () => {
    await openHomeAs(hqAdmin)
    await page.getByTestId('rules-link').click()
    await page.getByTestId('hq-rules-save').waitFor()

    expect(await labelOf('rules-points-per-yuan')).toBe('每元积分')

    await page.goBack()
    await page.getByTestId('coupons-link').click()
    await page.getByTestId('template-form').waitFor()

    expect(await page.getByTestId('points-link').count()).toBe(0)
    expect(await labelOf('settlement-month-input')).toBe('月份')
  })

  it("names the region manager's region and lets them read the rules but not change them", async () => {
    await openHomeAs(regionManager)

    expect(await page.getByTestId('staff-profile').innerText()).toContain('区域经理 · 华东区域')
    expect(await page.getByTestId('points-link').count()).toBe(0)

    await page.getByTestId('rules-link').click()
    await page.getByTestId('hq-rules-read-only').waitFor()

    expect(await page.getByTestId('hq-rules-save').count()).toBe(0)

    await page.goBack()
    await page.getByTestId('coupons-link').click()
    await page.getByTestId('load-settlement').click()
    await page.getByTestId('settlement-report').waitFor()

    expect(await page.getByTestId('template-form').count()).toBe(0)
  })

  it('tells a member who opens the members page that it is for staff, not that it is empty', async () => {
    await page.goto(`${env.url}/pages/index/index`)
    await page.evaluate(() => {
      const member = { openid: 'o-wang', role: 'member', name: '会员' }
      window.localStorage.setItem('tongka.identity', JSON.stringify(member))
    })
    await page.goto(`${env.url}/staff/pages/members/index`)

    expect(await page.getByTestId('members-refused').innerText()).toContain('不是在职员工')
    expect(await page.getByText('您的范围内还没有会员').count()).toBe(0)
  })
})
