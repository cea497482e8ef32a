import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { CronExpressionParser } from 'cron-parser'
import type { LocalClock } from './clock'
import type { FunctionHost } from './function-host'
import type { Logger } from './logger'

/**
 * Fires the timer triggers declared in each function's config.json, on the local clock. A jump of
 * the clock fires each due trigger once, for its latest due tick, rather than replaying every tick.
 */
const BUSINESS_TIME_ZONE = 'Asia/Shanghai'
const DEFAULT_TICK_MS = 1000

export interface TimerTrigger {
  functionName: string
  triggerName: string
  /** As written in config.json: second minute hour day month weekday year. */
  config: string
}

export interface FiredTrigger {
  functionName: string
  triggerName: string
  time: string
  result: unknown
}

export interface Scheduler {
  start(): void
  stop(): void
  tick(): Promise<FiredTrigger[]>
  fire(functionName: string, triggerName?: string): Promise<FiredTrigger>
  listTriggers(): TimerTrigger[]
}

export class NoTimerTriggerError extends Error {
  constructor(readonly functionName: string) {
    super(`cloud function "${functionName}" has no timer trigger in its config.json`)
  }
}

export function readTimerTriggers(functionsDir: string, logger?: Logger): TimerTrigger[] {
  if (!existsSync(functionsDir)) return []

  const triggers: TimerTrigger[] = []
  for (const functionName of readdirSync(functionsDir).sort()) {
    const configPath = path.join(functionsDir, functionName, 'config.json')
    if (!existsSync(configPath)) continue

    try {
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as { triggers?: unknown }
      const declared = Array.isArray(config.triggers) ? config.triggers : []
      for (const trigger of declared) {
        if (trigger?.type !== 'timer' || typeof trigger.config !== 'string') continue

        toCronExpression(trigger.config)
        triggers.push({ functionName, triggerName: String(trigger.name), config: trigger.config })
      }
    } catch (error) {
      logger?.error('unreadable trigger config, skipped', { configPath, error })
    }
  }

  return triggers
}

/** CloudBase writes seven fields; cron-parser takes six, without the year. */
export function toCronExpression(config: string): string {
  const fields = config.trim().split(/\s+/)
  if (fields.length !== 6 && fields.length !== 7) {
    throw new RangeError(`a timer config has 7 fields (second to year): "${config}"`)
  }

  const expression = fields.slice(0, 6).join(' ')
  CronExpressionParser.parse(expression, { tz: BUSINESS_TIME_ZONE })

  return expression
}

/** The latest tick of `config` at or before `at`. */
export function findLatestTick(config: string, at: Date): Date {
  const cron = CronExpressionParser.parse(toCronExpression(config), {
    currentDate: new Date(at.getTime() + 1),
    tz: BUSINESS_TIME_ZONE,
  })

  return cron.prev().toDate()
}

export function createScheduler(options: {
  functionsDir: string
  clock: LocalClock
  host: FunctionHost
  logger: Logger
  tickMs?: number
}): Scheduler {
  const { functionsDir, clock, host, logger } = options
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS
  let triggers = readTimerTriggers(functionsDir, logger)
  let checkedUntil = clock.now()
  let interval: NodeJS.Timeout | null = null

  const runTrigger = async (trigger: TimerTrigger, time: Date): Promise<FiredTrigger> => {
    const timeText = formatTriggerTime(time)
    const event = { Type: 'Timer', TriggerName: trigger.triggerName, Time: timeText }
    logger.info('timer fired', describe(trigger))
    const result = await host.invoke(trigger.functionName, event)

    return { ...describe(trigger), time: timeText, result }
  }

  // Decides what is due synchronously, so overlapping ticks never fire the same tick twice.
  const tick = () => {
    const now = clock.now()
    const since = checkedUntil
    checkedUntil = now
    if (now <= since) return Promise.resolve([])

    const runs: Promise<FiredTrigger>[] = []
    for (const trigger of triggers) {
      const latest = findLatestTick(trigger.config, now)
      if (latest <= since) continue

      runs.push(
        runTrigger(trigger, latest).catch((error) => {
          logger.error('timer run failed', { functionName: trigger.functionName, error })
          return { ...describe(trigger), time: formatTriggerTime(latest), result: null }
        }),
      )
    }

    return Promise.all(runs)
  }

  return {
    start() {
      if (interval || tickMs <= 0) return

      triggers = readTimerTriggers(functionsDir, logger)
      checkedUntil = clock.now()
      interval = setInterval(() => void tick(), tickMs)
      interval.unref()
    },

    stop() {
      if (interval) clearInterval(interval)
      interval = null
    },

    tick,

    fire(functionName, triggerName) {
      triggers = readTimerTriggers(functionsDir, logger)
      const trigger = triggers.find(
        (candidate) =>
          candidate.functionName === functionName &&
          (triggerName === undefined || candidate.triggerName === triggerName),
      )
      if (!trigger) return Promise.reject(new NoTimerTriggerError(functionName))

      return runTrigger(trigger, clock.now())
    },

    listTriggers: () => triggers,
  }
}

function describe(trigger: TimerTrigger) {
  return { functionName: trigger.functionName, triggerName: trigger.triggerName }
}

/** CloudBase's Time: UTC to the second, e.g. 2024-05-01T18:00:00Z. */
function formatTriggerTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
