import type { Page } from 'playwright-core'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser } from './browser'
import { fillTaroInput, identityOption } from './taro-h5'

let env: TestCloud
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page

beforeAll(async () => {
  buildH5IfStale(() => {})
  env = await startTestCloud()
  browser = await launchBrowser()
  page = await browser.context.newPage()

  const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13800138000' })
  const terms = await env.call('member', { action: 'terms' }, 'o-wang')
  const event = { action: 'register', phoneCode: code, consentVersion: terms.data.version }
  await env.call('member', { ...event, name: '王小明', storeId: 'sA' }, 'o-wang')
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await env?.close()
})

async function search(text: string) {
  await fillTaroInput(page, 'identity-search', text)
  await page.getByTestId('identity-search-count').waitFor()
}

describe('the local identity picker', () => {
  beforeEach(async () => {
    await page.goto(`${env.url}/pages/index/index`)
    await identityOption(page, 'clerk').first().waitFor()
  })

  it('puts the region managers before the members and the stores’ staff', async () => {
    const groups = await page
      .locator('[data-testid^="identity-group-"]')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-testid')))

    expect(groups).toEqual([
      'identity-group-region_manager',
      'identity-group-member',
      'identity-group-store_manager',
      'identity-group-clerk',
    ])
    expect(await identityOption(page, 'region_manager').innerText()).toContain('华东')
  })

  it('finds the staff of a city by its name and shows their store by name', async () => {
    await search('杭州')

    const found = await page.getByTestId('identity-option').allInnerTexts()

    expect(found).toHaveLength(1)
    expect(found[0]).toContain('杭州市 · 鲜邻超市·西湖区店')
  })

  it('finds by role and store together, every word having to match', async () => {
    await search('店长 徐汇')

    expect(await page.getByTestId('identity-option').count()).toBe(1)
    expect(await identityOption(page, 'store_manager').getAttribute('data-openid')).toBe(
      'o-manager-sA',
    )
  })

  it('finds a member by name or by the digits of their phone', async () => {
    await search('8000')
    expect(await identityOption(page, 'member').getAttribute('data-openid')).toBe('o-wang')

    await search('王小明')
    expect(await page.getByTestId('identity-option').count()).toBe(1)
  })

  it('says when nothing matches', async () => {
    await search('深圳')

    expect(await page.getByTestId('identity-search-count').innerText()).toContain('找到 0 个身份')
    expect(await page.getByTestId('identity-option').count()).toBe(0)
  })
})
