import tcb from '@cloudbase/node-sdk'
import { createCloudbaseDatabase } from './cloudbase-database'
import type { Database } from '../domain/ports'

type CloudbaseApp = ReturnType<typeof tcb.init>

let app: CloudbaseApp | null = null
let database: Database | null = null

/**
 * One SDK instance per function instance, reused across invocations. Locally the local cloud
 * names itself in TONGKA_SERVICE_URL; on CloudBase that variable is absent and the SDK finds
 * its own environment.
 */
export function useCloudbase(): { app: CloudbaseApp; db: Database } {
  if (!app || !database) {
    app = tcb.init({
      env: tcb.SYMBOL_CURRENT_ENV,
      serviceUrl: process.env.TONGKA_SERVICE_URL || undefined,
      timeout: 15_000,
    })
    database = createCloudbaseDatabase(app)
  }

  return { app, db: database }
}
