import type { Page } from 'playwright-core'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser } from './browser'
import { fillTaroInput, taroInput } from './taro-h5'

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

async function registerNewMember(phone: string) {
  await page.goto(`${env.url}/pages/index/index`)
  await page.getByTestId('identity-new-member').click()
  await page.getByTestId('register-page').waitFor()
  await page.getByTestId('consent-checkbox').click()
  await fillTaroInput(page, 'phone-input', phone)
  await page.getByTestId('phone-code-button').click()
  await page.getByTestId('register-submit').click()
  await page.getByTestId('card-page').waitFor()
}

describe('the profile page, in the h5 build', () => {
  it('edits the profile, then deletes the account after a confirmation', async () => {
    await registerNewMember('13712345678')
    const openid = await page.evaluate(
      () => JSON.parse(window.localStorage.getItem('tongka.identity') as string).openid as string,
    )

    await page.getByTestId('card-profile-link').click()
    await page.getByTestId('profile-phone').waitFor()
    await fillTaroInput(page, 'profile-name-input', '赵六')
    await page.getByTestId('profile-gender-female').click()
    await page.getByTestId('profile-save').click()
    await page.getByTestId('profile-notice').waitFor()

    await page.goto(`${env.url}/pages/profile/index`)
    await page.getByTestId('profile-phone').waitFor()
    await page.waitForFunction(() => {
      const field = document.querySelector('[data-testid="profile-name-input"] input')
      return (field as HTMLInputElement | null)?.value === '赵六'
    })
    expect(await taroInput(page, 'profile-name-input').inputValue()).toBe('赵六')
    const [member] = env.cloud.store.find('members', { openid })
    expect(member).toMatchObject({ name: '赵六', gender: 'female' })

    await page.getByTestId('profile-delete').click()
    await page.getByText('再想想', { exact: true }).click()
    expect(env.cloud.store.find('members', { openid })).toHaveLength(1)

    await page.getByTestId('profile-delete').click()
    await page.getByText('确定注销', { exact: true }).click()
    await page.getByTestId('register-deleted').waitFor()

    const stored = JSON.stringify(
      env.cloud.store.collectionNames().map((name) => env.cloud.store.find(name, {})),
    )
    expect(stored).not.toContain('13712345678')
    expect(stored).not.toContain('赵六')
    expect(stored).not.toContain(openid)
    const cachedCard = await page.evaluate(
      (id) => window.localStorage.getItem(`tongka.card.${id}`),
      openid,
    )
    expect(cachedCard).toBeNull()
  })

  it('shows the new privacy terms again before the card, once HQ publishes them', async () => {
    await registerNewMember('13712340000')
    await env.db.set('settings', {
      _id: 'brand',
      terms: { version: '2027-02', text: '鲜邻超市会员隐私条款（2027-02 版）新增条款' },
    })

    try {
      await page.goto(`${env.url}/pages/card/index`)
      await page.getByTestId('reconsent-page').waitFor()
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="terms-text"]')?.textContent?.includes('2027-02'),
      )
      await page.getByTestId('consent-checkbox').click()
      await page.getByTestId('accept-terms').click()
      await page.getByTestId('card-code-text').waitFor()
      expect(await page.getByTestId('card-code-text').innerText()).toMatch(/^88\d{18}$/)
    } finally {
      await env.cloud.store.remove('settings', { _id: 'brand' }, { multi: false })
    }
  })
})
