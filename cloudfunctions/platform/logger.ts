/**
 * One logger for every function: `[prefix] fixed message {context}`. Personal fields are masked
 * before they reach a log line, and errors are passed as objects, never interpolated.
 */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
}

const MASKED_KEYS = /openid|unionid|phone|secret|token|code/i

export function createLogger(prefix: string): Logger {
  const write = (level: 'info' | 'warn' | 'error') => {
    return (message: string, context: Record<string, unknown> = {}) => {
      if (process.env.TONGKA_LOG === 'silent') return

      const line = `[${prefix}] ${message} ${JSON.stringify(maskContext(context))}`
      if (level === 'error') console.error(line)
      else if (level === 'warn') console.warn(line)
      else console.log(line)
    }
  }

  return { info: write('info'), warn: write('warn'), error: write('error') }
}

function maskContext(context: Record<string, unknown>): Record<string, unknown> {
  return maskValue('', context, 0) as Record<string, unknown>
}

/** Deeper than any context a function logs; past it a value is dropped rather than walked. */
const MAX_DEPTH = 6

/**
 * Masks by key at every depth: a secret nested in an event (`{ event: { phoneCode } }`) or in an
 * array of documents is masked like one at the top.
 */
function maskValue(key: string, value: unknown, depth: number): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message }
  if (typeof value === 'string' && MASKED_KEYS.test(key)) {
    return value.length > 6 ? `${value.slice(0, 3)}***${value.slice(-2)}` : '***'
  }
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return '[…]'
  if (Array.isArray(value)) return value.map((item) => maskValue(key, item, depth + 1))

  return Object.fromEntries(
    Object.entries(value).map(([inner, item]) => [inner, maskValue(inner, item, depth + 1)]),
  )
}
