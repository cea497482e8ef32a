import { useRef } from 'react'

/**
 * Idempotency keys for the requests a person may tap twice: an exchange, a coupon batch, a points
 * adjustment. One key stands for one intent: a second tap after a failed or lost answer sends the
 * same key, so the server applies the change once; the key is dropped once the change succeeded
 * or the form changed, and the next intent gets a new one.
 */
export function makeRequestKey(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 10).padEnd(8, '0')

  return `${prefix}-${Date.now().toString(36)}-${random}`
}

export interface RequestKey {
  /** The key of the intent in progress, made on first use. */
  current(): string
  /** Forgets the key: after success, or when the inputs it stood for changed. */
  settle(): void
}

export function useRequestKey(prefix: string): RequestKey {
  const key = useRef<string | null>(null)

  return {
    current() {
      key.current ??= makeRequestKey(prefix)
      return key.current
    },
    settle() {
      key.current = null
    },
  }
}
