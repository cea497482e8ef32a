import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { errorMessages } from '../typings/errors'
import type { LocalClock } from './clock'
import type { Logger } from './logger'

/**
 * Runs built cloud functions the way CloudBase does: each instance loads the module once and
 * serves one invocation at a time; instances are reused, and a pool per function grows on demand.
 */
export const LOCAL_APP_ID = 'wx-local-tongka'

/** For a function whose config.json names no timeout; generous, as a busy laptop is slow. */
const DEFAULT_TIMEOUT_MS = 20_000
const DEFAULT_MAX_INSTANCES = 16
const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,60}$/

export interface FunctionHostOptions {
  functionsDir: string
  envId: string
  serviceUrl: string
  clock: LocalClock
  logger: Logger
  timeoutMs?: number
  maxInstances?: number
}

export interface InvokeOptions {
  openid?: string
  unionid?: string
}

export interface FunctionHost {
  invoke(name: string, event: unknown, options?: InvokeOptions): Promise<unknown>
  hasFunction(name: string): boolean
  reload(): Promise<void>
  close(): Promise<void>
}

export class UnknownFunctionError extends Error {
  readonly code = 'FUNCTION_NOT_FOUND'

  constructor(readonly functionName: string) {
    super(`no cloud function named "${functionName}" (looked for <functionsDir>/<name>/index.js)`)
  }
}

interface Invocation {
  event: unknown
  context: Record<string, unknown>
  resolve: (result: unknown) => void
}

interface Instance {
  worker: Worker
  isStale: boolean
  current: Invocation | null
  timer: NodeJS.Timeout | null
}

interface Pool {
  instances: Set<Instance>
  idle: Instance[]
  waiting: Invocation[]
}

type WorkerAnswer =
  | { ok: true; json: string | undefined }
  | { ok: false; isLoadError: boolean; error: { message: string; stack?: string } }

// Plain CommonJS evaluated inside each worker: load the function once, answer one event at a time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
let handler = null
let loadError = null
try {
  handler = require(workerData.modulePath)
} catch (error) {
  loadError = error
}
parentPort.on('message', async ({ event, context }) => {
  const isLoadError = loadError !== null || typeof (handler && handler.main) !== 'function'
  try {
    if (loadError) throw loadError
    if (isLoadError) throw new Error('the module exports no main function')
    const result = await handler.main(event, context)
    parentPort.postMessage({ ok: true, json: JSON.stringify(result) })
  } catch (error) {
    const isError = error instanceof Error
    const message = isError ? error.message : String(error)
    const stack = isError ? error.stack : undefined
    parentPort.postMessage({ ok: false, isLoadError, error: { message, stack } })
  }
})
`

export function createFunctionHost(options: FunctionHostOptions): FunctionHost {
  const { functionsDir, envId, serviceUrl, clock, logger } = options
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxInstances = options.maxInstances ?? DEFAULT_MAX_INSTANCES
  const pools = new Map<string, Pool>()
  const workerEnv = {
    ...process.env,
    TENCENTCLOUD_RUNENV: 'SCF',
    TENCENTCLOUD_REGION: 'ap-shanghai',
    SCF_NAMESPACE: envId,
    TCB_ENV: envId,
    TENCENTCLOUD_SECRETID: 'local',
    TENCENTCLOUD_SECRETKEY: 'local',
    TONGKA_SERVICE_URL: serviceUrl,
    TONGKA_LOCAL: '1',
  }
  let isClosed = false

  const modulePathOf = (name: string) => path.resolve(functionsDir, name, 'index.js')

  // A function's own `timeout` (seconds, as CloudBase reads it from config.json) wins; read once
  // per build, and again after a reload.
  const timeouts = new Map<string, number>()
  const timeoutOf = (name: string): number => {
    const known = timeouts.get(name)
    if (known !== undefined) return known

    const configPath = path.resolve(functionsDir, name, 'config.json')
    const seconds = existsSync(configPath)
      ? Number((JSON.parse(readFileSync(configPath, 'utf8')) as { timeout?: unknown }).timeout)
      : NaN
    const limit = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : timeoutMs
    timeouts.set(name, limit)

    return limit
  }

  const hasFunction = (name: string) =>
    FUNCTION_NAME_PATTERN.test(name) && existsSync(modulePathOf(name))

  const startInstance = (name: string, pool: Pool): Instance => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: workerEnv,
      workerData: { modulePath: modulePathOf(name) },
    })
    const instance: Instance = { worker, isStale: false, current: null, timer: null }

    worker.on('message', (answer: WorkerAnswer) => finishInvocation(name, pool, instance, answer))
    worker.on('error', (error) => {
      logger.error('function instance crashed', { functionName: name, error })
    })
    worker.on('exit', (exitCode) => {
      pool.instances.delete(instance)
      pool.idle = pool.idle.filter((candidate) => candidate !== instance)
      if (instance.current) {
        logger.error('function instance exited mid-invocation', { functionName: name, exitCode })
        answerFailure(instance)
      }

      const next = isClosed ? undefined : pool.waiting.shift()
      if (next) runOn(name, pool, startInstance(name, pool), next)
    })
    pool.instances.add(instance)

    return instance
  }

  const runOn = (name: string, pool: Pool, instance: Instance, invocation: Invocation) => {
    instance.current = invocation
    const limitMs = timeoutOf(name)
    instance.timer = setTimeout(() => {
      logger.error('function timed out; its instance is stopped', { functionName: name, limitMs })
      answerFailure(instance)
      void instance.worker.terminate()
    }, limitMs)
    instance.worker.postMessage({ event: invocation.event, context: invocation.context })
  }

  const finishInvocation = (name: string, pool: Pool, instance: Instance, answer: WorkerAnswer) => {
    const invocation = instance.current
    if (!invocation) return

    if (answer.ok) {
      settle(instance, answer.json === undefined ? null : JSON.parse(answer.json))
    } else {
      logger.error('function threw', { functionName: name, error: answer.error })
      answerFailure(instance)
    }

    // A module that failed to load is tried afresh by the next instance, as after a rebuild.
    if (!answer.ok && answer.isLoadError) instance.isStale = true

    releaseInstance(name, pool, instance)
  }

  const releaseInstance = (name: string, pool: Pool, instance: Instance) => {
    if (instance.isStale || isClosed) {
      void instance.worker.terminate()
      return
    }

    const next = pool.waiting.shift()
    if (next) runOn(name, pool, instance, next)
    else pool.idle.push(instance)
  }

  const poolOf = (name: string): Pool => {
    let pool = pools.get(name)
    if (!pool) {
      pool = { instances: new Set(), idle: [], waiting: [] }
      pools.set(name, pool)
    }

    return pool
  }

  const buildContext = (name: string, invokeOptions: InvokeOptions) => {
    const requestId = randomBytes(16).toString('hex')
    const environment: Record<string, string> = {
      WX_OPENID: invokeOptions.openid ?? '',
      WX_APPID: LOCAL_APP_ID,
      TCB_ENV: envId,
      TONGKA_NOW: clock.now().toISOString(),
    }
    if (invokeOptions.unionid) environment.WX_UNIONID = invokeOptions.unionid

    return {
      requestId,
      request_id: requestId,
      function_name: name,
      namespace: envId,
      tencentcloud_region: 'ap-shanghai',
      time_limit_in_ms: timeoutOf(name),
      environment: JSON.stringify(environment),
    }
  }

  return {
    hasFunction,

    invoke(name, event, invokeOptions = {}) {
      if (isClosed) return Promise.reject(new Error('the function host is closed'))
      if (!hasFunction(name)) return Promise.reject(new UnknownFunctionError(name))

      const pool = poolOf(name)

      return new Promise((resolve) => {
        const context = buildContext(name, invokeOptions)
        const invocation: Invocation = { event, context, resolve }
        const idle = pool.idle.pop()
        const canGrow = pool.instances.size < maxInstances
        if (idle) runOn(name, pool, idle, invocation)
        else if (canGrow) runOn(name, pool, startInstance(name, pool), invocation)
        else pool.waiting.push(invocation)
      })
    },

    // Busy instances finish their invocation on the old build, then stop.
    async reload() {
      timeouts.clear()
      const stopping: Promise<number>[] = []
      for (const pool of pools.values()) {
        for (const instance of pool.instances) instance.isStale = true
        stopping.push(...pool.idle.map((instance) => instance.worker.terminate()))
        pool.idle = []
      }

      await Promise.all(stopping)
    },

    async close() {
      isClosed = true
      const stopping: Promise<number>[] = []
      for (const pool of pools.values()) {
        for (const invocation of pool.waiting) invocation.resolve(internalFailure())
        stopping.push(...[...pool.instances].map((instance) => instance.worker.terminate()))
      }
      pools.clear()

      await Promise.all(stopping)
    },
  }
}

/** What a caller sees when a function fails: never the error itself. */
export function internalFailure() {
  return { ok: false, error: { code: 'INTERNAL', message: errorMessages.INTERNAL } }
}

function settle(instance: Instance, result: unknown) {
  if (instance.timer) clearTimeout(instance.timer)
  instance.current?.resolve(result)
  instance.current = null
  instance.timer = null
}

function answerFailure(instance: Instance) {
  settle(instance, internalFailure())
}
