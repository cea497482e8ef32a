import Taro from '@tarojs/taro'
import { z } from 'zod'
import {
  errorMessages,
  failureSchema,
  okSchema,
  type ErrorCode,
  type HqEvent,
  type MemberEvent,
  type StaffEvent,
} from '../../../typings'
import { appConfig } from '../config'
import { readLocalIdentity } from './identity'

/** The events each function accepts; the names are the deployed cloud functions. */
export interface FunctionEvents {
  member: MemberEvent
  staff: StaffEvent
  hq: HqEvent
}

export type FunctionName = keyof FunctionEvents

export interface CallError {
  code: ErrorCode
  message: string
}

export type CallResult<T> = { ok: true; data: T } | { ok: false; error: CallError }

function failWith(code: ErrorCode): { ok: false; error: CallError } {
  return { ok: false, error: { code, message: errorMessages[code] } }
}

async function invokeInWeChat(name: FunctionName, event: object): Promise<unknown> {
  const response = await Taro.cloud.callFunction({ name, data: event as Record<string, unknown> })

  return response.result
}

async function invokeOnLocalCloud(name: FunctionName, event: object): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const identity = readLocalIdentity()
  if (identity) headers['x-openid'] = identity.openid

  const response = await fetch(`${appConfig.localApiBase}/functions/${name}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(event),
  })
  const body: unknown = await response.json()

  return z.object({ result: z.unknown() }).parse(body).result
}

/**
 * Calls a cloud function and checks its answer against the contract: `data` is what `dataSchema`
 * parsed, and anything else (network, a malformed answer) is an INTERNAL failure.
 */
export async function callFunction<N extends FunctionName, S extends z.ZodType>(
  name: N,
  event: FunctionEvents[N],
  dataSchema: S,
): Promise<CallResult<z.infer<S>>> {
  let result: unknown
  try {
    result =
      process.env.TARO_ENV === 'weapp'
        ? await invokeInWeChat(name, event)
        : await invokeOnLocalCloud(name, event)
  } catch (error) {
    console.warn('[cloud] call failed', { name, error })
    return failWith('INTERNAL')
  }

  const failure = failureSchema.safeParse(result)
  // The function's own message says more (which field, which store); the table is the fallback.
  if (failure.success) {
    const { code, message } = failure.data.error
    return { ok: false, error: { code, message: message || errorMessages[code] } }
  }

  const envelope = okSchema(z.unknown()).safeParse(result)
  const data = dataSchema.safeParse(envelope.success ? envelope.data.data : undefined)
  if (envelope.success && data.success) return { ok: true, data: data.data }

  const issues = envelope.success ? data.error?.issues : envelope.error.issues
  console.warn('[cloud] answer outside the contract', { name, issues })
  return failWith('INTERNAL')
}
