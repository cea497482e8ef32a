/** The local cloud's one logger: `[local-cloud] message {context}`; TONGKA_LOG=silent quiets it. */
export type LogContext = Record<string, unknown>

export interface Logger {
  info(message: string, context?: LogContext): void
  warn(message: string, context?: LogContext): void
  error(message: string, context?: LogContext): void
}

const MASKED_KEYS = new Set(['openid', 'phone', 'touser'])

export function createLogger(prefix = 'local-cloud'): Logger {
  const write = (stream: NodeJS.WriteStream, message: string, context?: LogContext) => {
    if (process.env.TONGKA_LOG === 'silent') return

    const suffix = context ? ` ${JSON.stringify(maskContext(context))}` : ''
    stream.write(`[${prefix}] ${message}${suffix}\n`)
  }

  return {
    info: (message, context) => write(process.stdout, message, context),
    warn: (message, context) => write(process.stderr, message, context),
    error: (message, context) => write(process.stderr, message, context),
  }
}

function maskContext(context: LogContext): LogContext {
  const masked: LogContext = {}
  for (const [key, value] of Object.entries(context)) {
    if (value instanceof Error) masked[key] = describeError(value)
    else if (MASKED_KEYS.has(key) && typeof value === 'string') masked[key] = maskText(value)
    else masked[key] = value
  }

  return masked
}

function describeError(error: Error) {
  return { name: error.name, message: error.message, stack: error.stack }
}

function maskText(text: string): string {
  if (text.length <= 6) return '***'

  return `${text.slice(0, 3)}***${text.slice(-3)}`
}
