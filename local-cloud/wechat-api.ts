import { randomBytes } from 'node:crypto'
import { parsePhoneNumberFromString } from 'libphonenumber-js'
import type { LocalClock } from './clock'
import type { Logger } from './logger'

/**
 * The WeChat open API as a cloud function reaches it through the SDK's `wx.api` action, with
 * WeChat's own request bodies, answers and error codes.
 */
export const PHONE_NUMBER_API = '/wxa/business/getuserphonenumber'
export const SUBSCRIBE_SEND_API = '/cgi-bin/message/subscribe/send'
export const OUTBOX_COLLECTION = 'outbox'

const PHONE_CODE_TTL_MS = 5 * 60 * 1000

export interface WechatAnswer {
  errcode: number
  errmsg: string
  [field: string]: unknown
}

export interface WxApiRequest {
  apiName?: unknown
  requestData?: unknown
}

export interface OutboxMessage {
  _id: string
  seq: number
  touser: string
  templateId: string
  page: string | null
  data: unknown
  miniprogramState: string | null
  lang: string | null
  errcode: number
  errmsg: string
  sentAt: string
}

/** The part of the document store the stand-in needs. */
export interface OutboxStore {
  insert(collection: string, docs: object[]): unknown
  find(collection: string, query: object, options?: { sort?: Record<string, 1 | -1> }): unknown[]
  count(collection: string, query: object): number
}

export interface WechatApi {
  callApi(request: WxApiRequest): Promise<WechatAnswer>
  issuePhoneCode(phone: string): string
  listOutbox(): OutboxMessage[]
}

interface PhoneCode {
  phone: string
  issuedAt: number
  isUsed: boolean
}

export function createWechatApi(options: {
  store: OutboxStore
  clock: LocalClock
  appId: string
  logger: Logger
}): WechatApi {
  const { store, clock, appId, logger } = options
  const phoneCodes = new Map<string, PhoneCode>()

  const exchangePhoneCode = (requestData: Record<string, unknown>): WechatAnswer => {
    const { code } = requestData
    const entry = typeof code === 'string' ? phoneCodes.get(code) : undefined
    const nowMs = clock.now().getTime()
    const isExpired = entry !== undefined && nowMs - entry.issuedAt > PHONE_CODE_TTL_MS
    if (!entry || entry.isUsed || isExpired) return { errcode: 40029, errmsg: 'invalid code' }

    entry.isUsed = true

    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        ...describePhone(entry.phone),
        watermark: { timestamp: Math.floor(nowMs / 1000), appid: appId },
      },
    }
  }

  const sendSubscribeMessage = (requestData: Record<string, unknown>): WechatAnswer => {
    const { touser, template_id: templateId } = requestData
    if (typeof touser !== 'string' || touser === '') {
      return { errcode: 40003, errmsg: 'invalid openid' }
    }
    if (typeof templateId !== 'string' || templateId === '') {
      return { errcode: 40037, errmsg: 'invalid template_id' }
    }
    if (typeof requestData.data !== 'object' || requestData.data === null) {
      return { errcode: 47003, errmsg: 'argument invalid! data is empty' }
    }

    // Credits are not kept yet, so WeChat's 43101 (no credit for this template) never answers.
    const answer: WechatAnswer = { errcode: 0, errmsg: 'ok', msgid: Number(randomDigits(12)) }
    const message: OutboxMessage = {
      _id: randomBytes(16).toString('hex'),
      seq: store.count(OUTBOX_COLLECTION, {}) + 1,
      touser,
      templateId,
      page: typeof requestData.page === 'string' ? requestData.page : null,
      data: requestData.data,
      miniprogramState: readOptionalText(requestData.miniprogram_state),
      lang: readOptionalText(requestData.lang),
      errcode: answer.errcode,
      errmsg: answer.errmsg,
      sentAt: clock.now().toISOString(),
    }
    store.insert(OUTBOX_COLLECTION, [message])
    logger.info('subscribe message sent', { touser, templateId, errcode: answer.errcode })

    return answer
  }

  return {
    async callApi(request) {
      const requestData = parseRequestData(request.requestData)
      if (requestData === null) return { errcode: 47001, errmsg: 'data format error' }

      if (request.apiName === PHONE_NUMBER_API) return exchangePhoneCode(requestData)
      if (request.apiName === SUBSCRIBE_SEND_API) return sendSubscribeMessage(requestData)

      logger.warn('unknown WeChat api', { apiName: request.apiName })
      return { errcode: 48001, errmsg: 'api unauthorized' }
    },

    issuePhoneCode(phone) {
      if (!/^\+?[\d\s-]{3,20}$/.test(phone)) throw new RangeError(`not a phone number: ${phone}`)

      const code = randomBytes(32).toString('hex')
      phoneCodes.set(code, { phone, issuedAt: clock.now().getTime(), isUsed: false })

      return code
    },

    listOutbox() {
      const sort = { sentAt: -1, seq: -1 } as const
      return store.find(OUTBOX_COLLECTION, {}, { sort }) as OutboxMessage[]
    },
  }
}

/** WeChat's phone_info: the national number, and the country code apart. */
function describePhone(phone: string) {
  const parsed = parsePhoneNumberFromString(phone, 'CN')
  if (!parsed) {
    const digits = phone.replace(/\D/g, '')
    return { phoneNumber: digits, purePhoneNumber: digits, countryCode: '86' }
  }

  const countryCode = parsed.countryCallingCode
  const purePhoneNumber = parsed.nationalNumber
  const phoneNumber = countryCode === '86' ? purePhoneNumber : `+${countryCode}${purePhoneNumber}`

  return { phoneNumber, purePhoneNumber, countryCode }
}

function parseRequestData(requestData: unknown): Record<string, unknown> | null {
  if (requestData === undefined || requestData === '') return {}

  let parsed = requestData
  if (typeof requestData === 'string' || Buffer.isBuffer(requestData)) {
    try {
      parsed = JSON.parse(requestData.toString())
    } catch {
      return null
    }
  }

  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
  return isObject ? (parsed as Record<string, unknown>) : null
}

function readOptionalText(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function randomDigits(length: number): string {
  const digits = Array.from(randomBytes(length), (byte) => byte % 10).join('')

  return digits.replace(/^0/, '1')
}
