import { parseArgs } from 'node:util'
import { createLogger } from './logger'
import { startLocalCloud } from './server'

/** tsx local-cloud/main.ts --port 8787 --data .local-cloud/data --functions dist/cloudfunctions */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    data: { type: 'string', default: '.local-cloud/data' },
    functions: { type: 'string', default: 'dist/cloudfunctions' },
    static: { type: 'string', default: 'dist/h5' },
    env: { type: 'string', default: 'tongka-local' },
    'no-local-mode': { type: 'boolean', default: false },
  },
})

const logger = createLogger()

async function runLocalCloud() {
  const cloud = await startLocalCloud({
    port: Number(values.port),
    dataDir: values.data,
    functionsDir: values.functions,
    staticDir: values.static,
    envId: values.env,
    isLocalMode: !values['no-local-mode'],
  })
  process.stdout.write(`Tongka local cloud: ${cloud.url}\n`)

  let isClosing = false
  const stop = (signal: string) => {
    if (isClosing) return
    isClosing = true

    logger.info('closing', { signal })
    cloud.close().then(
      () => process.exit(0),
      (error) => {
        logger.error('close failed', { error })
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

runLocalCloud().catch((error) => {
  logger.error('the local cloud did not start', { error })
  process.exit(1)
})
