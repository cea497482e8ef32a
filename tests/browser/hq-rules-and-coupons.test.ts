import type { Page } from 'playwright-core'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser, openAs as openPageAs, type PickedIdentity } from './browser'
import { fillTaroInput, taroInput } from './taro-h5'

let env: TestCloud
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page

const hqAdmin = { openid: 'o-hq-admin', role: 'hq_admin', name: '总部' }

/** A Shanghai business date `days` from today, as HQ types it. */
function shanghaiDate(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10)
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
  browser = await launchBrowser()
  page = await browser.context.newPage()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await env?.close()
})

/** Opens a page as the given caller, as the local identity picker would have chosen them. */
function openAs(identity: PickedIdentity, route: string) {
  return openPageAs(page, env.url, identity, route)
}

describe('the HQ console pages for rules and coupons, in the h5 build', () => {
  it('lets HQ add a promotion for a region that is there after a reload and in the rules', async () => {
    const startsOn = shanghaiDate(1)
    const endsOn = shanghaiDate(7)

    await openAs(hqAdmin, '/hq/pages/rules/index')
    await page.getByTestId('promotion-add').click()
    await fillTaroInput(page, 'promotion-title', '周末双倍积分')
    await fillTaroInput(page, 'promotion-multiplier', '200')
    await fillTaroInput(page, 'promotion-starts', endsOn)
    await fillTaroInput(page, 'promotion-ends', startsOn)
    await page.getByTestId('promotion-region-east').click()
    await page.getByTestId('promotion-apply').click()

    expect(await page.getByTestId('promotion-error').innerText()).toBe('结束日期早于开始日期')

    await fillTaroInput(page, 'promotion-starts', startsOn)
    await fillTaroInput(page, 'promotion-ends', endsOn)
    await page.getByTestId('promotion-apply').click()
    await page.getByTestId('hq-rules-save').click()
    await page.getByText('已保存').waitFor()
    await page.reload()
    await page.getByTestId('promotion-item').first().waitFor()

    const shown = await page.getByTestId('promotion-item').allInnerTexts()
    const rules = await env.call('hq', { action: 'getRules' }, hqAdmin.openid)

    expect(shown).toHaveLength(1)
    expect(shown[0]).toContain('周末双倍积分')
    expect(shown[0]).toContain(`${startsOn} 至 ${endsOn}`)
    expect(rules.data.promotions).toEqual([
      expect.objectContaining({
        title: '周末双倍积分',
        multiplierPercent: 200,
        storeIds: ['sA', 'sB'],
        startsOn,
        endsOn,
      }),
    ])
  })

  it('lets HQ remove a promotion, gone from the rules once saved', async () => {
    await openAs(hqAdmin, '/hq/pages/rules/index')
    await page.getByTestId('promotion-remove').click()
    await page.getByTestId('hq-rules-save').click()
    await page.getByText('已保存').waitFor()

    const rules = await env.call('hq', { action: 'getRules' }, hqAdmin.openid)

    expect(rules.data.promotions).toEqual([])
  })

  it('lets HQ create a discount template with fixed dates and a store list', async () => {
    const validFrom = shanghaiDate(0)
    const validTo = shanghaiDate(30)

    await openAs(hqAdmin, '/hq/pages/coupons/index')
    await fillTaroInput(page, 'template-title', '生鲜八五折')
    await page.getByTestId('template-kind-discount').click()
    await fillTaroInput(page, 'template-discount', '85')
    await fillTaroInput(page, 'template-max-discount', '20')
    await fillTaroInput(page, 'template-min-spend', '50')
    await page.getByTestId('template-validity-dates').click()
    await fillTaroInput(page, 'template-valid-from', validFrom)
    await fillTaroInput(page, 'template-valid-to', validTo)
    await page.getByTestId('template-stores-list').click()
    await fillTaroInput(page, 'template-store-ids', 'sA sZ')
    await page.getByTestId('create-template').click()

    // Only the function knows which stores exist: its own message is what HQ reads.
    expect(await page.getByTestId('template-error').innerText()).toBe('没有这些门店：sZ')
    expect(await env.db.count('couponTemplates', {})).toBe(0)

    await fillTaroInput(page, 'template-store-ids', 'sA, sB')
    await page.getByTestId('create-template').click()
    const listed = page.getByTestId('coupon-template').filter({ hasText: '生鲜八五折' })
    await listed.waitFor()

    expect(await listed.getByTestId('coupon-template-kind').innerText()).toBe('折扣券')
    expect(await listed.innerText()).toContain(`${validFrom} 至 ${validTo}`)
    expect(await env.db.find('couponTemplates', {})).toEqual([
      expect.objectContaining({
        title: '生鲜八五折',
        kind: 'discount',
        valueFen: null,
        discountPercent: 85,
        maxDiscountFen: 2000,
        minSpendFen: 5000,
        validDays: null,
        validFrom,
        validTo,
        stores: ['sA', 'sB'],
      }),
    ])
  })

  it('names the region of a regional template and the stores of a listed one', async () => {
    const regional = await env.call(
      'hq',
      {
        action: 'createCouponTemplate',
        title: '华东专享券',
        kind: 'cash',
        valueFen: 300,
        validDays: 30,
        stores: { regionId: 'east' },
        costBearer: 'hq',
      },
      hqAdmin.openid,
    )
    expect(regional.ok).toBe(true)

    await openAs(hqAdmin, '/hq/pages/coupons/index')
    const terms = (title: string) =>
      page
        .getByTestId('coupon-template')
        .filter({ hasText: title })
        .getByTestId('coupon-template-terms')
    await page.getByText('华东区域').waitFor()

    expect(await terms('华东专享券').innerText()).toContain('华东区域')
    expect(await terms('生鲜八五折').innerText()).toContain(
      '2 家门店：鲜邻超市·徐汇区店、鲜邻超市·西湖区店',
    )
  })

  it('names what is wrong with 每元积分 and asks before saving 0', async () => {
    await openAs(hqAdmin, '/hq/pages/rules/index')
    await fillTaroInput(page, 'rules-points-per-yuan', '1.5')
    await page.getByTestId('hq-rules-save').click()

    expect(await page.getByTestId('hq-rules-error').innerText()).toBe(
      '每元积分须为整数，不能有小数',
    )
    expect(await taroInput(page, 'rules-points-per-yuan').inputValue()).toBe('1.5')

    await fillTaroInput(page, 'rules-points-per-yuan', '0')
    await page.getByTestId('hq-rules-save').click()
    await page.getByText('再想想', { exact: true }).click()
    const kept = await env.call('hq', { action: 'getRules' }, hqAdmin.openid)

    expect(kept.data.earning.pointsPerYuan).toBeGreaterThan(0)

    await page.getByTestId('hq-rules-save').click()
    expect(await page.getByText('将停止全部门店的积分获取', { exact: false }).count()).toBe(1)
    await page.getByText('停止积分', { exact: true }).click()
    await page.getByText('已保存').waitFor()
    const stopped = await env.call('hq', { action: 'getRules' }, hqAdmin.openid)

    expect(stopped.data.earning.pointsPerYuan).toBe(0)
  })

  it('shows the older templates when HQ asks for more', async () => {
    for (let i = 1; i <= 50; i++) {
      const created = await env.call(
        'hq',
        {
          action: 'createCouponTemplate',
          title: `满减券 ${i}`,
          kind: 'cash',
          valueFen: 500,
          validDays: 30,
          costBearer: 'hq',
        },
        hqAdmin.openid,
      )
      expect(created.ok).toBe(true)
    }

    await openAs(hqAdmin, '/hq/pages/coupons/index')
    await page.getByTestId('templates-more').waitFor()
    const firstPage = await page.getByTestId('coupon-template').count()
    await page.getByTestId('templates-more').click()
    await page.getByTestId('coupon-template').filter({ hasText: '生鲜八五折' }).waitFor()

    // Fifty here, the two of the tests before: the regional one and 生鲜八五折.
    expect(firstPage).toBeLessThan(52)
    expect(await page.getByTestId('coupon-template').count()).toBe(52)
    expect(await page.getByTestId('templates-more').count()).toBe(0)
  })
})
