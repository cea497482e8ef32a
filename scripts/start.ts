import { mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { startLocalCloud } from '../local-cloud/server'
import { buildFunctions } from './build-functions'
import { buildH5IfStale } from './build-h5'
import { hasDemoData, loadDemoIntoStore } from './demo-data/load-into-store'
import {
  h5BuildDir,
  functionsBuildDir,
  localCloudDir,
  localDataDir,
  serverPidFile,
  sharedDataDir,
} from './local-paths'

/**
 * `npm start`: the whole system on this machine. Builds what is out of date, starts the local
 * cloud, loads the demo chain on first run, and prints where to open it.
 */
async function start() {
  const port = Number(process.env.PORT ?? 8787)

  await buildFunctions()
  buildH5IfStale()

  const cloud = await startLocalCloud({
    port,
    dataDir: localDataDir,
    functionsDir: functionsBuildDir,
    staticDir: h5BuildDir,
    schedulerTickMs: 15_000,
  })
  mkdirSync(localCloudDir, { recursive: true })
  writeFileSync(serverPidFile, String(process.pid))

  if (!hasDemoData(cloud.store)) {
    console.log('[start] first run: loading the demo chain from ../shared/data')
    const report = await loadDemoIntoStore(cloud.store, sharedDataDir, new Date())
    console.log('[start] demo chain loaded', JSON.stringify(report))
  }

  console.log(`\nTongka is running at ${cloud.url}`)
  console.log('Pick an identity there: a member, a clerk of any store, a region manager or HQ.')
  console.log('Stop with Ctrl+C; data stays in .local-cloud/ (npm run demo:reload starts afresh).')

  const stop = () => {
    rmSync(serverPidFile, { force: true })
    cloud.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

start().catch((error: unknown) => {
  console.error('[start] Tongka did not start', error)
  process.exit(1)
})
