import { existsSync, readFileSync, rmSync } from 'node:fs'
import { DocumentStore } from '../local-cloud/store'
import { loadDemoIntoStore } from './demo-data/load-into-store'
import { localDataDir, serverPidFile, sharedDataDir } from './local-paths'

/** `npm run demo:reload`: throws the local data away and loads the demo chain again. */
async function reload() {
  if (isServerRunning()) {
    console.error('[demo] stop `npm start` first: the running server holds the data in memory')
    process.exit(1)
  }

  rmSync(localDataDir, { recursive: true, force: true })
  const store = DocumentStore.open(localDataDir)
  const report = await loadDemoIntoStore(store, sharedDataDir, new Date())
  store.close()
  console.log('[demo] demo chain loaded', JSON.stringify(report))
}

function isServerRunning(): boolean {
  if (!existsSync(serverPidFile)) return false

  try {
    process.kill(Number(readFileSync(serverPidFile, 'utf8')), 0)

    return true
  } catch {
    return false
  }
}

reload().catch((error: unknown) => {
  console.error('[demo] reload failed', error)
  process.exit(1)
})
