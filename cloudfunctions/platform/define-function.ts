import { randomBytes } from 'node:crypto'
import type { z } from 'zod'
import type { Database } from '../domain/ports'
import { refuse, type Result } from '../domain/result'
import { useCloudbase } from './cloudbase-app'
import { describeInvalidInput } from './invalid-input'
import { readInvocation, type Invocation } from './invocation'
import { createLogger, type Logger } from './logger'

export interface Services {
  db: Database
  app: ReturnType<typeof useCloudbase>['app']
  log: Logger
  randomBytes: (length: number) => Uint8Array
}

interface FunctionDefinition<E> {
  name: string
  schema: z.ZodType<E>
  handle(event: E, invocation: Invocation, services: Services): Promise<Result<unknown>>
}

/**
 * The one shape of every cloud function: parse the event, learn the caller, run the domain,
 * answer `{ ok, data | error }`. Nothing unexpected leaves as a stack trace.
 */
export function defineFunction<E>(definition: FunctionDefinition<E>) {
  const log = createLogger(definition.name)

  return async function main(event: unknown, context: unknown): Promise<Result<unknown>> {
    const invocation = readInvocation(context)
    const parsed = definition.schema.safeParse(withoutPlatformFields(event))
    if (!parsed.success) {
      return refuse('INVALID_INPUT', describeInvalidInput(parsed.error, event))
    }

    try {
      const { app, db } = useCloudbase()
      const services: Services = { db, app, log, randomBytes: (length) => randomBytes(length) }

      return await definition.handle(parsed.data, invocation, services)
    } catch (error) {
      log.error('invocation failed', { error, requestId: invocation.requestId })

      return refuse('INTERNAL')
    }
  }
}

/** WeChat adds `userInfo` to events from wx.cloud.callFunction; the caller comes from context. */
function withoutPlatformFields(event: unknown): unknown {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return event

  const { userInfo: _userInfo, ...fields } = event as Record<string, unknown>

  return fields
}
