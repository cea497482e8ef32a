import { errorMessages, type ErrorCode } from '../../typings/errors'

/** Expected outcomes of the domain are values, not exceptions. */
export type Result<T> =
  { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } }

export type Refusal = Extract<Result<never>, { ok: false }>

export function succeed<T>(data: T): Result<T> {
  return { ok: true, data }
}

export function refuse(code: ErrorCode, message = errorMessages[code]): Refusal {
  return { ok: false, error: { code, message } }
}
