import type { Page } from 'playwright-core'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import type { MemberDoc } from '../../cloudfunctions/domain/models'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser, openAs as openPageAs, type PickedIdentity } from './browser'
import { fillTaroInput } from './taro-h5'

let env: TestCloud
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
let memberId: string

beforeAll(async () => {
  buildH5IfStale(() => {})
  env = await startTestCloud()
  browser = await launchBrowser()
  page = await browser.context.newPage()
  await upsertStaff(env.db, {
    _id: 'o-hq-admin',
    openid: 'o-hq-admin',
    name: '总部',
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
  const scan = await env.call('staff', { action: 'scan', code }, 'o-clerk-sA')
  const purchase = { visitToken: scan.data.visitToken, orderNo: 'BR-1', amountFen: 10_000 }
  await env.call('staff', { action: 'recordPurchase', ...purchase }, 'o-clerk-sA')
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await env?.close()
})

/** Opens a page as the given caller, as the local identity picker would have chosen them. */
function openAs(identity: PickedIdentity, route: string) {
  return openPageAs(page, env.url, identity, route)
}

async function pointsOfMember() {
  return (await env.db.get<MemberDoc>('members', memberId))?.points
}

/** Clicks and waits for the function's answer, so that the next step sees what it changed. */
async function submit(testId: string, functionName: string) {
  await Promise.all([
    page.waitForResponse(`**/api/functions/${functionName}`),
    page.getByTestId(testId).click(),
  ])
}

describe('points at the counter and at HQ, in the h5 build', () => {
  it('refunds two equal parts of an order, each with the 退款单号 of its receipt', async () => {
    await openAs({ openid: 'o-clerk-sA', role: 'clerk', name: '店员' }, '/staff/pages/points/index')
    await page.getByTestId('staff-points-page').waitFor()
    await fillTaroInput(page, 'refund-order-input', 'BR-1')
    await fillTaroInput(page, 'refund-amount-input', '25')
    await page.getByTestId('refund-submit').click()
    expect(await page.getByTestId('staff-points-error').innerText()).toContain('退款单号')

    for (const refundNo of ['POS-R-1', 'POS-R-2']) {
      await fillTaroInput(page, 'refund-no-input', refundNo)
      await fillTaroInput(page, 'refund-amount-input', '25')
      await submit('refund-submit', 'staff')
      expect(await page.getByTestId('staff-points-notice').innerText()).toBe('已扣回 25 积分')
    }

    expect(await pointsOfMember()).toBe(50)
  })

  it('adjusts points once when HQ taps again after a lost answer, and again for a new one', async () => {
    await openAs(
      { openid: 'o-hq-admin', role: 'hq_admin', name: '总部' },
      '/staff/pages/members/index',
    )
    await page.getByTestId('member-row').first().waitFor()
    await page.getByTestId('member-adjust').first().click()
    await fillTaroInput(page, 'adjust-points-input', '30')
    await fillTaroInput(page, 'adjust-reason-input', '门店服务补偿')

    // The function adjusts, but its answer never reaches the page.
    await page.route('**/api/functions/hq', async (route) => {
      await route.fetch()
      await route.abort('connectionreset')
    })
    await page.getByTestId('adjust-submit').click()
    await page.getByTestId('adjust-error').waitFor()
    expect(await pointsOfMember()).toBe(80)
    await page.unroute('**/api/functions/hq')
    await submit('adjust-submit', 'hq')

    expect(await page.getByTestId('members-notice').innerText()).toContain('现有 80 积分')
    expect(await pointsOfMember()).toBe(80)
    expect(await env.db.count('auditLog', { action: 'adjustPoints', memberId })).toBe(1)

    await page.getByTestId('member-adjust').first().click()
    await fillTaroInput(page, 'adjust-points-input', '30')
    await fillTaroInput(page, 'adjust-reason-input', '门店服务补偿')
    await submit('adjust-submit', 'hq')

    expect(await pointsOfMember()).toBe(110)
    expect(await env.db.count('pointEntries', { kind: 'adjust', memberId })).toBe(2)
  })
})
