import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * The browser tests drive Debian's Chromium. On a fresh machine the test command installs it
 * (as root, through apt); no tool is ever allowed to download a browser of its own.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

if (!existsSync(chromiumPath)) {
  const isRoot = process.getuid?.() === 0
  const hasApt = existsSync('/usr/bin/apt-get')
  if (!isRoot || !hasApt) {
    console.error(
      `[test] Chromium is missing at ${chromiumPath}: install Debian's chromium package`,
    )
    console.error('[test] (sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium.')
    process.exit(1)
  }

  console.log('[test] installing Debian chromium for the browser tests')
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}
