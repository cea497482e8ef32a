import { z } from 'zod'

/** What CloudBase tells a function about its caller, in the context's `environment` JSON. */
const environmentSchema = z.object({
  WX_OPENID: z.string().optional(),
  WX_UNIONID: z.string().optional(),
  TONGKA_NOW: z.string().datetime().optional(),
})

const contextSchema = z.object({
  request_id: z.string().optional(),
  requestId: z.string().optional(),
  environment: z.string().optional(),
})

export interface Invocation {
  openid: string | null
  unionid: string | null
  requestId: string
  now: Date
}

export function readInvocation(context: unknown): Invocation {
  const parsedContext = contextSchema.safeParse(context)
  const fields = parsedContext.success ? parsedContext.data : {}
  const environment = parseEnvironment(fields.environment)
  // The local cloud's movable clock; CloudBase never sends TONGKA_NOW, so there `now` is real.
  const isLocalClock = process.env.TONGKA_LOCAL === '1' && environment.TONGKA_NOW

  return {
    openid: environment.WX_OPENID || null,
    unionid: environment.WX_UNIONID || null,
    requestId: fields.request_id ?? fields.requestId ?? '',
    now: isLocalClock ? new Date(environment.TONGKA_NOW as string) : new Date(),
  }
}

function parseEnvironment(raw: string | undefined) {
  if (!raw) return {}

  try {
    const parsed = environmentSchema.safeParse(JSON.parse(raw))

    return parsed.success ? parsed.data : {}
  } catch {
    return {}
  }
}
