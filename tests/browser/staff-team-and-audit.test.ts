import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { buildH5IfStale } from '../../scripts/build-h5'
import { startTestCloud, type TestCloud } from '../support/test-cloud'
import { launchBrowser, openAs as openPageAs, type PickedIdentity } from './browser'
import { fillTaroInput } from './taro-h5'

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

/** Opens a page as the given caller, as the local identity picker would have chosen them. */
function openAs(identity: PickedIdentity, route: string) {
  return openPageAs(page, env.url, identity, route)
}

describe('staff management and the audit log, in the h5 build', () => {
  it('lets a store manager invite a clerk who then joins with the code', async () => {
    await openAs(
      { openid: 'o-manager-sA', role: 'store_manager', name: '店长' },
      '/staff/pages/team/index',
    )
    await page.getByTestId('team-member').first().waitFor()
    await fillTaroInput(page, 'invite-name-input', '小张')
    await page.getByTestId('invite-button').click()
    const text = await page.getByTestId('invitation-code').innerText()
    const code = /邀请码 ([0-9A-Z]{8})/.exec(text)?.[1] ?? ''

    expect(code).toHaveLength(8)

    await openAs({ openid: 'o-newcomer', role: 'clerk', name: '小张' }, '/staff/pages/team/index')
    await fillTaroInput(page, 'invitation-code-input', code)
    await page.getByTestId('invitation-accept').click()
    await page.getByTestId('team-notice').waitFor()

    expect(await env.db.get('staff', 'o-newcomer')).toMatchObject({ storeId: 'sA', isActive: true })
  })

  it('shows a region manager the audit entries of their region', async () => {
    await openAs(
      { openid: 'o-region-east', role: 'region_manager', name: '区域经理' },
      '/hq/pages/audit/index',
    )
    await page.getByTestId('audit-search').click()
    // Store names come from hq.chain, which may answer after the entries.
    await page.getByTestId('audit-entry').first().getByText('鲜邻超市', { exact: false }).waitFor()

    const entries = await page.getByTestId('audit-entry').allInnerTexts()

    expect(entries[0]).toContain('接受邀请加入门店')
    expect(entries[0]).toContain('店员 · 鲜邻超市·徐汇区店')
    expect(entries[1]).toContain('邀请店员')
    expect(entries[1]).toContain('店长 · 鲜邻超市·徐汇区店')
    expect(entries.join('\n')).not.toMatch(/acceptInvitation|inviteStaff|store_manager/)
  })

  it('refuses an impossible date with a message, asks nothing and clears the old results', async () => {
    await openAs(
      { openid: 'o-region-east', role: 'region_manager', name: '区域经理' },
      '/hq/pages/audit/index',
    )
    await page.getByTestId('audit-search').click()
    await page.getByTestId('audit-entry').first().waitFor()
    const pageErrors: string[] = []
    const recordError = (error: Error) => pageErrors.push(error.message)
    page.on('pageerror', recordError)

    await fillTaroInput(page, 'audit-from-input', '2026-13-01')
    await page.getByTestId('audit-search').click()
    await page.getByTestId('audit-error').waitFor()

    expect(await page.getByTestId('audit-error').innerText()).toContain('起始日期不是有效的日期')
    expect(await page.getByTestId('audit-entry').count()).toBe(0)
    expect(pageErrors).toEqual([])
    page.off('pageerror', recordError)
  })

  it('lets a region manager reveal one member, and an HQ admin export the list, audited', async () => {
    const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13800138000' })
    const terms = await env.call('member', { action: 'terms' }, 'o-wang')
    const registered = await env.call(
      'member',
      { action: 'register', phoneCode: code, consentVersion: terms.data.version, storeId: 'sA' },
      'o-wang',
    )
    const memberId = registered.data.card.memberId

    await openAs(
      { openid: 'o-region-east', role: 'region_manager', name: '区域经理' },
      '/staff/pages/members/index',
    )
    await page.getByTestId('member-row').first().waitFor()
    expect(await page.getByTestId('member-phone').first().innerText()).toBe('138****8000')
    await page.getByTestId('member-reveal').first().click()
    await page.getByTestId('members-notice').waitFor()
    expect(await page.getByTestId('member-phone').first().innerText()).toBe('138 0013 8000')
    expect(await env.db.count('auditLog', { action: 'revealMember', memberId })).toBe(1)

    await upsertStaff(env.db, {
      _id: 'o-hq-admin',
      openid: 'o-hq-admin',
      name: '总部',
      role: 'hq_admin',
      storeId: null,
      regionId: null,
      isActive: true,
    })
    await openAs(
      { openid: 'o-hq-admin', role: 'hq_admin', name: '总部' },
      '/staff/pages/members/index',
    )
    await page.getByTestId('member-row').first().waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('members-export').click(),
    ])
    const csv = await readFile(await download.path(), 'utf8')

    expect(csv).toContain('会员号,手机号')
    expect(csv).toContain('+8613800138000')
    expect(await env.db.count('auditLog', { action: 'exportMembers', memberId })).toBe(1)
  })
})
