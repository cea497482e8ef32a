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
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => [key, maskValue(key, value)]),
  )
}

function maskValue(key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message }
  if (typeof value === 'string' && MASKED_KEYS.test(key)) {
    return value.length > 6 ? `${value.slice(0, 3)}***${value.slice(-2)}` : '***'
  }

  return value
}
