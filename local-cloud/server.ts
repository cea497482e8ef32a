import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import sirv from 'sirv'
import { makeCardCode } from '../typings/card-code'
import { createClock, type LocalClock } from './clock'
import { createDatabaseActions } from './database-actions'
import { createFunctionHost, UnknownFunctionError, type FunctionHost } from './function-host'
import { createLogger, type Logger } from './logger'
import { createScheduler, NoTimerTriggerError, type Scheduler } from './scheduler'
import { DocumentStore } from './store'
import { createWechatApi, type WechatApi } from './wechat-api'

/**
 * The local cloud's one HTTP server: CloudBase's actions for the SDK at /admin, the functions and
 * dev routes under /api, and the h5 build for everything else.
 */
export interface LocalCloudOptions {
  port?: number
  dataDir: string
  functionsDir: string
  staticDir?: string
  envId?: string
  isLocalMode?: boolean
  functionTimeoutMs?: number
  maxInstances?: number
  /** How often timers are checked on their own; 0 leaves it to clock moves and dev triggers. */
  schedulerTickMs?: number
}

export interface LocalCloud {
  url: string
  port: number
  store: DocumentStore
  clock: LocalClock
  host: FunctionHost
  scheduler: Scheduler
  wechat: WechatApi
  close(): Promise<void>
}

interface Services {
  options: LocalCloudOptions & { isLocalMode: boolean }
  store: DocumentStore
  clock: LocalClock
  host: FunctionHost
  scheduler: Scheduler
  wechat: WechatApi
  database: { handle(body: any): Promise<object> }
  logger: Logger
  serveStatic: ReturnType<typeof sirv> | null
  nextVariant: () => number
}

/**
 * The gateway's own refusals, answered as `{ error: { code, message } }`: a stable code for
 * scripts and tests to branch on, named as the functions name theirs, and a message in Chinese,
 * as the functions' are, that names what was wrong with the request but nothing of the machine.
 */
const GATEWAY_ERROR_CODES = {
  400: 'INVALID_INPUT',
  403: 'NOT_ALLOWED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  500: 'INTERNAL',
} as const

type GatewayStatus = keyof typeof GATEWAY_ERROR_CODES

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[GatewayStatus]

class HttpError extends Error {
  constructor(
    readonly status: GatewayStatus,
    message: string,
  ) {
    super(message)
  }

  get code(): GatewayErrorCode {
    return GATEWAY_ERROR_CODES[this.status]
  }
}

function sendError(res: ServerResponse, error: HttpError) {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } })
}

/** The SDK's door carries documents and batches of them. */
const MAX_ADMIN_BODY_BYTES = 20 * 1024 * 1024
/**
 * An event of the mini program is a few kilobytes (the largest, a batch of 200 member ids or the
 * points rules, far under this); WeChat sends bigger data through its CDN, not the call itself.
 */
const MAX_EVENT_BYTES = 1024 * 1024
const LOCAL_HOST_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]'])
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const ROLE_ORDER = ['hq_admin', 'hq_analyst', 'region_manager', 'store_manager', 'clerk']
const MEMBER_IDENTITY_LIMIT = 20
const MISSING_BUILD_TEXT = '通卡本地云：这里还没有 h5 页面。请先运行 `npm run build:h5`，再刷新。\n'

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const envId = options.envId ?? 'tongka-local'
  const isLocalMode = options.isLocalMode ?? true
  const logger = createLogger()
  const clock = createClock()
  const store = DocumentStore.open(options.dataDir, { now: () => clock.now() })
  const database = createDatabaseActions(store, () => clock.now())
  const wechat = createWechatApi({ store, clock, appId: 'wx-local-tongka', logger })
  const hasStaticDir = options.staticDir !== undefined && existsSync(options.staticDir)
  const serveStatic = hasStaticDir ? sirv(options.staticDir, { single: true, dev: true }) : null

  const server = http.createServer()
  const port = await listen(server, options.port ?? 0)
  const url = `http://127.0.0.1:${port}`

  const host = createFunctionHost({
    functionsDir: options.functionsDir,
    envId,
    serviceUrl: `${url}/admin`,
    clock,
    logger,
    timeoutMs: options.functionTimeoutMs,
    maxInstances: options.maxInstances,
  })
  const scheduler = createScheduler({
    functionsDir: options.functionsDir,
    clock,
    host,
    logger,
    tickMs: options.schedulerTickMs,
  })
  let variant = 0
  const services: Services = {
    options: { ...options, envId, isLocalMode },
    store,
    clock,
    host,
    scheduler,
    wechat,
    database,
    logger,
    serveStatic,
    nextVariant: () => (variant = (variant + 1) % 10),
  }

  server.on('request', (req, res) => void handleRequest(services, req, res))
  scheduler.start()
  logger.info('local cloud started', { url, envId, isLocalMode })

  return {
    url,
    port,
    store,
    clock,
    host,
    scheduler,
    wechat,
    async close() {
      scheduler.stop()
      await host.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      store.close()
    },
  }
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

async function handleRequest(services: Services, req: IncomingMessage, res: ServerResponse) {
  const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname

  try {
    refuseForeignPages(req)
    if (pathname === '/admin') return await handleAdmin(services, req, res)
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      return await handleApi(services, pathname, req, res)
    }

    serveBuild(services, req, res)
  } catch (error) {
    if (error instanceof HttpError) return sendError(res, error)

    services.logger.error('request failed', { method: req.method, pathname, error })
    sendError(res, new HttpError(500, '本地云内部出错'))
  }
}

/**
 * The local cloud writes data and moves time for anyone who reaches it, so a web page open in
 * the developer's browser must not: requests naming another site (Origin) or arriving under
 * another host name (DNS rebinding) are refused. The SDK and curl send neither.
 */
function refuseForeignPages(req: IncomingMessage) {
  const hostName = (req.headers.host ?? '').replace(/:\d+$/, '')
  if (hostName && !LOCAL_HOST_NAMES.has(hostName)) {
    throw new HttpError(403, '本地云只接受发往 127.0.0.1 或 localhost 的请求')
  }

  const origin = req.headers.origin
  if (origin && origin !== 'null' && hostOfOrigin(origin) !== req.headers.host) {
    throw new HttpError(403, '不接受其他网站发来的请求')
  }
}

function hostOfOrigin(origin: string): string | null {
  try {
    return new URL(origin).host
  } catch {
    return null
  }
}

/** CloudBase's HTTP actions, as the SDK sends them. */
async function handleAdmin(services: Services, req: IncomingMessage, res: ServerResponse) {
  if (!LOOPBACK_ADDRESSES.has(req.socket.remoteAddress ?? '')) {
    throw new HttpError(403, '本地云只接受本机发来的请求')
  }
  requireMethod(req, 'POST')

  const raw = await readBody(req, MAX_ADMIN_BODY_BYTES)
  const isMultipart = (req.headers['content-type'] ?? '').startsWith('multipart/form-data')
  const body = isMultipart ? await parseMultipart(req, raw) : parseJson(raw)
  const action = typeof body?.action === 'string' ? body.action : ''
  const requestId = randomBytes(16).toString('hex')

  if (action.startsWith('database.')) {
    return sendJson(res, 200, await services.database.handle(body))
  }

  if (action === 'wx.api') {
    const answer = await services.wechat.callApi(body)
    return sendJson(res, 200, { data: { responseData: JSON.stringify(answer) }, requestId })
  }

  // The SDK hands wx.openApi answers back as raw bytes, as WeChat sent them.
  if (action === 'wx.openApi') {
    const answer = await services.wechat.callApi(body)
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    return res.end(Buffer.from(JSON.stringify(answer)))
  }

  sendJson(res, 200, {
    code: 'ACTION_NOT_SUPPORTED',
    message: `本地云不支持这个操作：${action}`,
    requestId,
  })
}

async function handleApi(
  services: Services,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { host, wechat, options } = services
  const functionName = matchPath(pathname, '/api/functions/')

  if (functionName !== null) {
    requireMethod(req, 'POST')
    const caller = readCaller(services, req)
    const event = parseJson(await readBody(req, MAX_EVENT_BYTES), {})
    const result = await invokeFunction(host, functionName, event, caller)

    return sendJson(res, 200, { result })
  }

  if (pathname === '/api/outbox') {
    requireMethod(req, 'GET')
    return sendJson(res, 200, wechat.listOutbox())
  }

  if (options.isLocalMode && pathname.startsWith('/api/dev/')) {
    return await handleDev(services, pathname, req, res)
  }

  throw new HttpError(404, `没有这个地址：${req.method} ${pathname}`)
}

async function handleDev(
  services: Services,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { clock, scheduler, wechat, store } = services
  const triggerName = matchPath(pathname, '/api/dev/trigger/')

  if (pathname === '/api/dev/identities') {
    requireMethod(req, 'GET')
    return sendJson(res, 200, listIdentities(store))
  }

  requireMethod(req, 'POST')
  const body = parseJson(await readBody(req, MAX_EVENT_BYTES), {})

  if (pathname === '/api/dev/clock') {
    const target = body?.now
    if (target !== null && typeof target !== 'string') {
      throw new HttpError(400, 'now 须是 ISO-8601 时间或 null')
    }
    if (body?.freeze !== undefined && typeof body.freeze !== 'boolean') {
      throw new HttpError(400, 'freeze 须是 true 或 false')
    }

    const now = setClock(clock, target, body?.freeze === true)
    const fired = await scheduler.tick()

    return sendJson(res, 200, { now: now.toISOString(), fired })
  }

  if (triggerName !== null) {
    try {
      const { result } = await scheduler.fire(triggerName)
      return sendJson(res, 200, { result })
    } catch (error) {
      if (error instanceof NoTimerTriggerError) {
        throw new HttpError(404, `云函数 ${error.functionName} 没有定时触发器`)
      }
      throw error
    }
  }

  if (pathname === '/api/dev/phone-code') {
    if (typeof body?.phone !== 'string') throw new HttpError(400, '请填写 phone（手机号）')

    try {
      return sendJson(res, 200, { code: wechat.issuePhoneCode(body.phone) })
    } catch {
      throw new HttpError(400, `不是手机号：${body.phone}`)
    }
  }

  if (pathname === '/api/dev/member-code') {
    if (typeof body?.memberId !== 'string') throw new HttpError(400, '请填写 memberId')

    const member = store.get('members', body.memberId) as
      { memberNo?: string; codeSecret?: string } | null | undefined
    if (!member?.memberNo || !member.codeSecret) {
      throw new HttpError(404, `没有会员 ${body.memberId} 的会员卡`)
    }

    const epochMs = clock.now().getTime()
    const code = makeCardCode(member.codeSecret, member.memberNo, epochMs, services.nextVariant())

    return sendJson(res, 200, { code })
  }

  throw new HttpError(404, `没有这个地址：${req.method} ${pathname}`)
}

/** Business code keeps years of four digits; a clock outside this range only breaks the demo. */
const CLOCK_RANGE = {
  earliest: Date.parse('2000-01-01T00:00:00Z'),
  latest: Date.parse('2099-12-31T00:00:00Z'),
}
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

function setClock(clock: LocalClock, target: string | null, isFrozen: boolean): Date {
  if (target !== null) {
    const instant = Date.parse(target)
    const isInRange = instant >= CLOCK_RANGE.earliest && instant <= CLOCK_RANGE.latest
    const isWellFormed = ISO_INSTANT.test(target)
    if (!isWellFormed || !isInRange || !isSameCalendarDay(target, instant)) {
      throw new HttpError(400, 'now 须是带时区的 ISO-8601 时间，在 2000 到 2099 年之间')
    }
  }

  try {
    return clock.set(target, { isFrozen })
  } catch {
    throw new HttpError(400, `不是 ISO-8601 时间：${target}`)
  }
}

/** Refuses 2027-02-30, which Date.parse would quietly roll over into March. */
function isSameCalendarDay(written: string, instant: number): boolean {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(written)
  const offsetMs = offset
    ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000
    : 0

  return new Date(instant + offsetMs).toISOString().slice(0, 10) === written.slice(0, 10)
}

async function invokeFunction(host: FunctionHost, name: string, event: unknown, caller: Caller) {
  try {
    return await host.invoke(name, event, caller)
  } catch (error) {
    // The host's own message names the folder it looked in, which is the machine's business.
    if (error instanceof UnknownFunctionError) {
      throw new HttpError(404, `没有名为 ${error.functionName} 的云函数`)
    }
    throw error
  }
}

interface Caller {
  openid?: string
  unionid?: string
}

/** Locally the caller is named by headers; anywhere else WeChat names them, so they are refused. */
function readCaller(services: Services, req: IncomingMessage): Caller {
  const openid = readHeader(req, 'x-openid')
  const unionid = readHeader(req, 'x-unionid')
  const isNamed = openid !== undefined || unionid !== undefined
  if (isNamed && !services.options.isLocalMode) {
    throw new HttpError(403, '本地云只在本地模式下接受 x-openid')
  }

  return { openid, unionid }
}

interface StaffDocument {
  openid?: string
  role?: string
  name?: string
  storeId?: string
  regionId?: string
}

interface MemberDocument {
  openid?: string
  name?: string
  maskedPhone?: string
}

interface PlaceDocument {
  _id: string
  name?: string
  city?: string
}

/** The picker searches by the names of places and by phone digits, so it is given them. */
export interface Identity {
  openid: string
  role: string
  name: string
  storeId?: string
  storeName?: string
  city?: string
  regionId?: string
  regionName?: string
  maskedPhone?: string
}

function listIdentities(store: DocumentStore): Identity[] {
  const staff = store.find('staff', { active: { $ne: false } }, {}) as StaffDocument[]
  const stores = new Map(
    (store.find('stores', {}, {}) as PlaceDocument[]).map((place) => [place._id, place]),
  )
  const regions = new Map(
    (store.find('regions', {}, {}) as PlaceDocument[]).map((place) => [place._id, place]),
  )
  const staffIdentities = staff
    .filter((person) => typeof person.openid === 'string' && typeof person.role === 'string')
    .map((person) => ({
      openid: person.openid as string,
      role: person.role as string,
      name: person.name ?? person.role ?? '',
      ...(person.storeId ? { storeId: person.storeId } : {}),
      ...(person.storeId && stores.get(person.storeId)?.name
        ? { storeName: stores.get(person.storeId)?.name, city: stores.get(person.storeId)?.city }
        : {}),
      ...(person.regionId ? { regionId: person.regionId } : {}),
      ...(person.regionId && regions.get(person.regionId)?.name
        ? { regionName: regions.get(person.regionId)?.name }
        : {}),
    }))
    .sort((left, right) => rankRole(left.role) - rankRole(right.role))

  const members = store.find(
    'members',
    { openid: { $type: 'string', $ne: '' } },
    // Newest first, so that a member who just registered in the picker can be picked again.
    { sort: { registeredAt: -1, memberNo: 1 }, limit: MEMBER_IDENTITY_LIMIT },
  ) as MemberDocument[]
  const memberIdentities = members.map((member) => ({
    openid: member.openid as string,
    role: 'member',
    name: member.name || member.maskedPhone || 'member',
    ...(member.maskedPhone ? { maskedPhone: member.maskedPhone } : {}),
  }))

  return [...staffIdentities, ...memberIdentities]
}

function rankRole(role: string): number {
  const rank = ROLE_ORDER.indexOf(role)

  return rank === -1 ? ROLE_ORDER.length : rank
}

function serveBuild(services: Services, req: IncomingMessage, res: ServerResponse) {
  const { serveStatic, options } = services
  const hasBuild = options.staticDir && existsSync(path.join(options.staticDir, 'index.html'))
  if (!serveStatic || !hasBuild) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    return res.end(MISSING_BUILD_TEXT)
  }

  serveStatic(req, res, () => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('没有这个页面\n')
  })
}

function matchPath(pathname: string, prefix: string): string | null {
  if (!pathname.startsWith(prefix)) return null

  const rest = decodeURIComponent(pathname.slice(prefix.length))
  return rest !== '' && !rest.includes('/') ? rest : null
}

function requireMethod(req: IncomingMessage, method: string) {
  if (req.method !== method) throw new HttpError(405, `只接受 ${method} 请求`)
}

function readHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]

  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * The body, up to `maxBytes`. A larger one is read to its end and dropped, not cut off: a
 * destroyed socket would leave the caller a reset connection instead of PAYLOAD_TOO_LARGE.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `请求内容太大：最多 ${maxBytes / 1024 / 1024} MB`)
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume()
    return Promise.reject(tooLarge())
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) chunks.push(chunk)
    })
    req.on('end', () => (size > maxBytes ? reject(tooLarge()) : resolve(Buffer.concat(chunks))))
    req.on('error', reject)
  })
}

function parseJson(raw: Buffer, whenEmpty?: unknown): any {
  if (raw.length === 0 && whenEmpty !== undefined) return whenEmpty

  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new HttpError(400, '请求内容不是有效的 JSON')
  }
}

async function parseMultipart(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const contentType = req.headers['content-type'] ?? ''
  const response = new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } })
  const form = await response.formData()
  const entries: [string, FormDataEntryValue][] = []
  form.forEach((value, key) => entries.push([key, value]))

  const fields: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    fields[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer())
  }

  return fields
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}
