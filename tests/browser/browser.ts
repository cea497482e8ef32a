import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Debian's Chromium, headless, never a browser a tool downloads for itself. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchBrowser(): Promise<{
  context: BrowserContext
  close(): Promise<void>
}> {
  const profileDir = mkdtempSync(path.join(tmpdir(), 'tongka-chromium-'))
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    viewport: { width: 390, height: 844 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })

  return {
    context,
    async close() {
      await context.close()
      rmSync(profileDir, { recursive: true, force: true })
    },
  }
}

export interface PickedIdentity {
  openid: string
  role: string
  name: string
}

/** Opens `route` as the given caller, as the local identity picker would have chosen them. */
export async function openAs(page: Page, baseUrl: string, identity: PickedIdentity, route: string) {
  await page.goto(`${baseUrl}/pages/index/index`)
  await page.evaluate((stored) => {
    window.localStorage.setItem('tongka.identity', JSON.stringify(stored))
  }, identity)
  await page.goto(`${baseUrl}${route}`)
}
