import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { h5BuildDir, repositoryRoot } from './local-paths'

const sourceDirs = ['miniprogram/src', 'miniprogram/config', 'typings']

/** Builds the h5 pages unless the build is newer than every source it comes from. */
export function buildH5IfStale(log: (line: string) => void = console.log): void {
  const indexFile = path.join(h5BuildDir, 'index.html')
  const builtAt = existsSync(indexFile) ? statSync(indexFile).mtimeMs : 0
  const changedAt = Math.max(
    ...sourceDirs.map((dir) => newestChange(path.join(repositoryRoot, dir))),
  )
  if (builtAt > changedAt) return

  log('[build] building the h5 pages (about half a minute)')
  const build = spawnSync('npm', ['run', 'build:h5'], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Jest runs with NODE_ENV=test, which would build the pages with React's dev-only refresh hooks.
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
  })
  if (build.status !== 0) throw new Error(`the h5 build failed\n${build.stdout}\n${build.stderr}`)
}

function newestChange(dir: string): number {
  if (!existsSync(dir)) return 0

  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const entryPath = path.join(dir, entry.name)
    const changedAt = entry.isDirectory() ? newestChange(entryPath) : statSync(entryPath).mtimeMs

    return Math.max(newest, changedAt)
  }, 0)
}
