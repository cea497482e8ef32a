import type tcb from '@cloudbase/node-sdk'
import { z } from 'zod'
import { refuse, succeed, type Result } from '../domain/result'
import type { Logger } from './logger'

type CloudbaseApp = ReturnType<typeof tcb.init>

const phoneAnswerSchema = z.object({
  errcode: z.number(),
  errmsg: z.string().optional(),
  phone_info: z
    .object({ phoneNumber: z.string(), purePhoneNumber: z.string(), countryCode: z.string() })
    .optional(),
})

/** WeChat's phone-number exchange: a getPhoneNumber code becomes the number it stands for. */
export async function exchangePhoneCode(
  app: CloudbaseApp,
  phoneCode: string,
  log: Logger,
): Promise<Result<string>> {
  const answer = await app.callWxOpenApi({
    apiName: '/wxa/business/getuserphonenumber',
    requestData: { code: phoneCode },
  })
  const parsed = phoneAnswerSchema.safeParse(answer.result)
  if (!parsed.success) {
    log.error('phone exchange answered an unknown shape', { issues: parsed.error.issues.length })

    return refuse('INTERNAL')
  }
  if (parsed.data.errcode !== 0 || !parsed.data.phone_info) {
    log.warn('phone exchange refused', { errcode: parsed.data.errcode })

    return refuse('PHONE_CODE_INVALID')
  }

  const { countryCode, purePhoneNumber } = parsed.data.phone_info

  return succeed(`+${countryCode}${purePhoneNumber}`)
}
