import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import type { Page } from 'playwright-core'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser } from './browser'
import { fillTaroInput, identityOption, readCardCode } from './taro-h5'

let env: TestCloud
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page

beforeAll(async () => {
  buildH5IfStale(() => {})
  env = await startTestCloud()
  browser = await launchBrowser()
  page = await browser.context.newPage()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await env?.close()
})

async function decodeQr(): Promise<string | null> {
  const png = PNG.sync.read(await page.getByTestId('card-qr').screenshot())
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)

  return decoded?.data ?? null
}

describe('from registration to the counter, in the h5 build', () => {
  it('registers, records a purchase at another store and shows the new points', async () => {
    await page.goto(`${env.url}/pages/index/index`)
    await page.getByTestId('identity-new-member').click()

    await page.getByTestId('register-page').waitFor()
    await page.getByTestId('consent-checkbox').click()
    await fillTaroInput(page, 'name-input', '李四')
    await fillTaroInput(page, 'phone-input', '13900139000')
    await page.getByTestId('phone-code-button').click()
    await page.getByTestId('register-submit').click()

    await page.getByTestId('card-page').waitFor()
    await expectText('card-points', '0')
    await expectText('card-phone', '139****9000')
    const code = await readCardCode(page)
    expect(code).toMatch(/^88\d{18}$/)
    expect(await decodeQr()).toBe(code)
    const member = await page.evaluate(() => window.localStorage.getItem('tongka.identity'))

    await page.goto(`${env.url}/pages/index/index`)
    await page.locator('[data-testid="identity-option"][data-openid="o-clerk-sB"]').click()
    await page.getByTestId('staff-home').waitFor()
    await fillTaroInput(page, 'scan-input', code)
    await page.getByTestId('scan-button').click()
    await expectText('scan-phone', '139****9000')
    await fillTaroInput(page, 'amount-input', '88.50')
    await page.getByTestId('purchase-submit').click()
    await expectText('purchase-points', '88')
    await expectText('scan-points', '88')
    // The greyed 记账 of a scan already recorded must not record a second order when tapped.
    const visitsAtB = await env.db.count('visits', { storeId: 'sB' })
    const actionsSent: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/api/functions/')) actionsSent.push(request.postData() ?? '')
    })
    await fillTaroInput(page, 'order-no-input', 'TAP-AGAIN-1')
    await fillTaroInput(page, 'amount-input', '10')
    await page.getByTestId('purchase-submit').click({ force: true })
    // A later call that is answered: a purchase sent by the tap would have gone out before it.
    const scanned = page.waitForResponse((response) => response.url().includes('/api/functions/'))
    await page.getByTestId('scan-button').click()
    await scanned
    expect(actionsSent.filter((body) => body.includes('recordPurchase'))).toEqual([])
    expect(await env.db.count('visits', { storeId: 'sB' })).toBe(visitsAtB)

    await page.evaluate((identity) => {
      window.localStorage.setItem('tongka.identity', identity as string)
    }, member)
    await page.goto(`${env.url}/pages/card/index`)
    await expectText('card-points', '88')
  })

  it('fits the barcode inside a 320-pixel-wide phone, quiet zones included', async () => {
    await page.setViewportSize({ width: 320, height: 640 })
    try {
      await page.goto(`${env.url}/pages/card/index`)
      await page.getByTestId('card-barcode').waitFor()
      const box = await page.getByTestId('card-barcode').boundingBox()

      expect(box?.x).toBeGreaterThan(0)
      expect((box?.x ?? 0) + (box?.width ?? Infinity)).toBeLessThan(320)
    } finally {
      await page.setViewportSize({ width: 390, height: 844 })
    }
  })

  it('exchanges the points for a coupon on the wallet page and shows the new balance', async () => {
    await upsertStaff(env.db, {
      _id: 'o-hq-admin',
      openid: 'o-hq-admin',
      name: '总部',
      role: 'hq_admin',
      storeId: null,
      regionId: null,
      isActive: true,
    })
    const template = {
      action: 'createCouponTemplate',
      title: '积分换 5 元',
      kind: 'cash',
      valueFen: 500,
      validDays: 30,
      exchangePoints: 50,
      costBearer: 'hq',
    }
    await env.call('hq', template, 'o-hq-admin')

    await page.goto(`${env.url}/pages/wallet/index`)
    await expectText('exchange-balance', '88')
    await expectText('exchange-offer', '积分换 5 元')
    await page.getByTestId('exchange-button').click()
    await page.getByText('确定兑换', { exact: true }).click()

    await expectText('exchange-result-balance', '38')
    await expectText('exchange-balance', '38')
    await expectText('wallet-coupon', '积分换 5 元')
  })

  it('lists the demo staff in the identity picker, grouped by role', async () => {
    await page.goto(`${env.url}/pages/index/index`)

    await identityOption(page, 'clerk').first().waitFor()
    expect(await identityOption(page, 'clerk').count()).toBe(2)
    expect(await identityOption(page, 'store_manager').count()).toBe(1)
    expect(await identityOption(page, 'region_manager').count()).toBe(1)
  })
})

async function expectText(testId: string, expected: string) {
  const locator = page.getByTestId(testId)
  await locator.waitFor()
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(text),
    [testId, expected] as const,
    { timeout: 15_000 },
  )
  expect(await locator.innerText()).toContain(expected)
}
