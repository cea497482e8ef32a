import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { codeStepAt, parseCardCode, signCardCode } from '../../typings/card-code'
import { startLocalCloud, type LocalCloud } from '../../local-cloud/server'

process.env.TONGKA_LOG = 'silent'

const FUNCTIONS_DIR = path.join(__dirname, 'fixtures', 'functions')
const CODE_SECRET = 'ab'.repeat(32)

let workDir: string
let cloud: LocalCloud

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'tongka-local-cloud-'))
  const staticDir = path.join(workDir, 'h5')
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true })
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Tongka h5</title>')
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("tongka")')

  cloud = await startLocalCloud({
    port: 0,
    dataDir: path.join(workDir, 'data'),
    functionsDir: FUNCTIONS_DIR,
    staticDir,
    maxInstances: 3,
    schedulerTickMs: 0,
  })
})

afterAll(async () => {
  await cloud?.close()
  rmSync(workDir, { recursive: true, force: true })
})

async function post(pathname: string, body: unknown, headers: Headers = {}) {
  return postTo(cloud.url, pathname, body, headers)
}

type Headers = Record<string, string>

async function postTo(url: string, pathname: string, body: unknown, headers: Headers = {}) {
  const response = await fetch(`${url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

  return { status: response.status, body: await response.json() }
}

async function callFunction(name: string, event: unknown, openid?: string) {
  const headers: Headers = openid ? { 'x-openid': openid } : {}
  const { status, body } = await post(`/api/functions/${name}`, event, headers)
  expect(status).toBe(200)

  return body.result
}

async function moveClock(now: string | null) {
  const { status, body } = await post('/api/dev/clock', { now })
  expect(status).toBe(200)

  return body as { now: string; fired: { functionName: string; time: string; result: any }[] }
}

describe('calling functions', () => {
  it('hands the function its event, the x-openid caller and the CloudBase runtime', async () => {
    const result = await callFunction('echo', { action: 'hello', n: 1 }, 'o-member-1')

    expect(result).toMatchObject({
      event: { action: 'hello', n: 1 },
      openid: 'o-member-1',
      unionid: null,
      appid: 'wx-local-tongka',
      functionName: 'echo',
      namespace: 'tongka-local',
      hasRequestId: true,
      runtime: {
        TENCENTCLOUD_RUNENV: 'SCF',
        TCB_ENV: 'tongka-local',
        SCF_NAMESPACE: 'tongka-local',
        TONGKA_SERVICE_URL: `${cloud.url}/admin`,
        TONGKA_LOCAL: '1',
      },
    })
  })

  it('passes a unionid when one is named', async () => {
    const caller = { 'x-openid': 'o-1', 'x-unionid': 'u-1' }
    const { body } = await post('/api/functions/echo', {}, caller)

    expect(body.result).toMatchObject({ openid: 'o-1', unionid: 'u-1' })
  })

  it('answers 400 and INVALID_INPUT to a body that is not JSON', async () => {
    const { status, body } = await post('/api/functions/echo', '{not json')

    expect(status).toBe(400)
    expect(body).toEqual({ error: { code: 'INVALID_INPUT', message: expect.any(String) } })
  })

  it('answers 404 and NOT_FOUND for an unknown function, naming no folder', async () => {
    const { status, body } = await post('/api/functions/nowhere', {})

    expect(status).toBe(404)
    expect(body).toEqual({
      error: { code: 'NOT_FOUND', message: '没有名为 nowhere 的云函数' },
    })
    expect(JSON.stringify(body)).not.toContain(FUNCTIONS_DIR)
  })

  it('answers METHOD_NOT_ALLOWED to a function called with GET', async () => {
    const response = await fetch(`${cloud.url}/api/functions/echo`)

    expect(response.status).toBe(405)
    expect(await response.json()).toEqual({
      error: { code: 'METHOD_NOT_ALLOWED', message: '只接受 POST 请求' },
    })
  })

  it('answers INVALID_INPUT to a phone code asked for what is not a phone number', async () => {
    const { status, body } = await post('/api/dev/phone-code', { phone: 'abc' })

    expect(status).toBe(400)
    expect(body.error).toEqual({ code: 'INVALID_INPUT', message: '不是手机号：abc' })
  })

  it('answers PAYLOAD_TOO_LARGE to a 2 MB event, before the function sees it', async () => {
    const event = { action: 'echo', padding: 'x'.repeat(2 * 1024 * 1024) }
    const { status, body } = await post('/api/functions/echo', event)

    expect(status).toBe(413)
    expect(body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: '请求内容太大：最多 1 MB' })
  })

  it('tells a body that is not JSON in Chinese', async () => {
    const { body } = await post('/api/functions/echo', '{not json')

    expect(body.error.message).toBe('请求内容不是有效的 JSON')
  })

  it('answers INTERNAL, without the error or its stack, when a function throws', async () => {
    const result = await callFunction('boom', {})

    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } })
    expect(JSON.stringify(result)).not.toMatch(/kaboom|\/srv\/boom|at /)
  })

  it('serves one invocation per instance at a time, within the instance limit', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => callFunction('slow', { ms: 150 })),
    )

    const instanceIds = new Set(results.map((result) => result.instanceId))
    expect(instanceIds.size).toBeLessThanOrEqual(3)
    expect(instanceIds.size).toBeGreaterThan(1)
    expect(results.every((result) => result.inFlightAtStart === 1)).toBe(true)
  })

  it('reuses a warm instance, whose module was loaded once', async () => {
    const first = await callFunction('slow', { ms: 0 })
    const second = await callFunction('slow', { ms: 0 })

    expect(second.instanceId).toBe(first.instanceId)
    expect(second.calls).toBe(first.calls + 1)
  })

  it('starts fresh instances after reload', async () => {
    const before = await callFunction('slow', { ms: 0 })
    await cloud.host.reload()
    const after = await callFunction('slow', { ms: 0 })

    expect(after.instanceId).not.toBe(before.instanceId)
    expect(after.calls).toBe(1)
  })
})

describe('the local clock', () => {
  afterEach(async () => {
    await moveClock(null)
  })

  it('is the time functions see, and keeps flowing from where it was set', async () => {
    const moved = await moveClock('2030-01-01T00:00:00+08:00')
    const result = await callFunction('echo', {})

    expect(moved.now).toBe('2029-12-31T16:00:00.000Z')
    const elapsed = Date.parse(result.now) - Date.parse('2029-12-31T16:00:00.000Z')
    expect(elapsed).toBeGreaterThanOrEqual(0)
    expect(elapsed).toBeLessThan(5000)
  })

  it('returns to the real clock on null', async () => {
    await moveClock('2030-01-01T00:00:00+08:00')
    const back = await moveClock(null)

    expect(Math.abs(Date.parse(back.now) - Date.now())).toBeLessThan(5000)
  })

  it('refuses a time that is not ISO-8601', async () => {
    const { status } = await post('/api/dev/clock', { now: 'next tuesday' })

    expect(status).toBe(400)
  })
})

describe('timer triggers', () => {
  afterEach(async () => {
    await moveClock(null)
  })

  it('fires a due trigger with the event CloudBase sends when the clock passes it', async () => {
    await moveClock('2030-01-01T01:59:00+08:00')
    const passed = await moveClock('2030-01-01T02:00:30+08:00')

    expect(passed.fired).toHaveLength(1)
    expect(passed.fired[0]).toMatchObject({ functionName: 'daily', time: '2029-12-31T18:00:00Z' })
    expect(passed.fired[0].result.event).toEqual({
      Type: 'Timer',
      TriggerName: 'daily',
      Time: '2029-12-31T18:00:00Z',
    })
  })

  it('does not fire again before the next tick', async () => {
    await moveClock('2030-01-01T02:00:30+08:00')
    const later = await moveClock('2030-01-01T12:00:00+08:00')

    expect(later.fired).toEqual([])
  })

  it('fires once, not once per missed tick, when the clock jumps days ahead', async () => {
    await moveClock('2030-01-01T12:00:00+08:00')
    const jumped = await moveClock('2030-01-05T03:00:00+08:00')

    expect(jumped.fired.map((run) => run.time)).toEqual(['2030-01-04T18:00:00Z'])
  })

  it('runs a timer function now through the dev route', async () => {
    await moveClock('2030-02-01T09:00:00+08:00')
    const { status, body } = await post('/api/dev/trigger/daily', {})

    expect(status).toBe(200)
    expect(body.result.event).toMatchObject({ Type: 'Timer', TriggerName: 'daily' })
    expect(body.result.event.Time).toMatch(/^2030-02-01T01:00:0\dZ$/)
  })

  it('answers 404 for a function without a timer trigger', async () => {
    const { status, body } = await post('/api/dev/trigger/echo', {})

    expect(status).toBe(404)
    expect(body.error).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining('echo') })
  })
})

describe('timeouts', () => {
  it('answers INTERNAL and stops the instance that ran over', async () => {
    const quick = await startLocalCloud({
      dataDir: path.join(workDir, 'timeout-data'),
      functionsDir: FUNCTIONS_DIR,
      functionTimeoutMs: 300,
      schedulerTickMs: 0,
    })

    try {
      const before = (await postTo(quick.url, '/api/functions/hang', {})).body.result
      const hung = (await postTo(quick.url, '/api/functions/hang', { hang: true })).body.result
      const after = (await postTo(quick.url, '/api/functions/hang', {})).body.result

      expect(hung).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
      expect(after.instanceId).toEqual(expect.any(String))
      expect(after.instanceId).not.toBe(before.instanceId)
    } finally {
      await quick.close()
    }
  })
})

describe('a timeout of its own', () => {
  it('stops a function at the timeout its config.json sets, not the host default', async () => {
    const started = Date.now()
    const quick = (await post('/api/functions/brief', {})).body.result
    const hung = (await post('/api/functions/brief', { hang: true })).body.result

    expect(quick).toEqual({ timeLimitMs: 1_000 })
    expect(hung).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('outside local mode', () => {
  let deployed: LocalCloud

  beforeAll(async () => {
    deployed = await startLocalCloud({
      dataDir: path.join(workDir, 'deployed-data'),
      functionsDir: FUNCTIONS_DIR,
      isLocalMode: false,
      schedulerTickMs: 0,
    })
  })

  afterAll(async () => {
    await deployed.close()
  })

  it('refuses a caller named by x-openid', async () => {
    const caller = { 'x-openid': 'o-1' }
    const { status, body } = await postTo(deployed.url, '/api/functions/echo', {}, caller)

    expect(status).toBe(403)
    expect(body.error).toEqual({
      code: 'NOT_ALLOWED',
      message: expect.stringContaining('x-openid'),
    })
  })

  it('still runs a function for a caller it cannot name', async () => {
    const { status, body } = await postTo(deployed.url, '/api/functions/echo', { n: 2 })

    expect(status).toBe(200)
    expect(body.result).toMatchObject({ event: { n: 2 }, openid: '' })
  })

  it('has no dev routes', async () => {
    const { status } = await postTo(deployed.url, '/api/dev/clock', { now: null })

    expect(status).toBe(404)
  })
})

describe('dev routes', () => {
  beforeAll(() => {
    cloud.store.insert('staff', [
      { _id: 'st1', openid: 'o-hq', role: 'hq_admin', name: '总部管理员', active: true },
      {
        _id: 'st2',
        openid: 'o-clerk',
        role: 'clerk',
        name: '店员小李',
        storeId: 's1',
        active: true,
      },
      { _id: 'st3', openid: 'o-left', role: 'clerk', name: '已离职', storeId: 's1', active: false },
      { _id: 'st4', openid: 'o-region', role: 'region_manager', name: '华东区', regionId: 'r1' },
    ])

    const card = { codeSecret: CODE_SECRET }
    cloud.store.insert('members', [
      { _id: 'm1', memberNo: '000000001', ...card, openid: 'o-m1', name: '王小明' },
      { _id: 'm2', memberNo: '000000002', ...card, openid: 'o-m2', maskedPhone: '138****0002' },
      { _id: 'm3', memberNo: '000000003', ...card, maskedPhone: '138****0003' },
    ])
  })

  it('lists active staff and members with an openid as identities', async () => {
    const response = await fetch(`${cloud.url}/api/dev/identities`)

    expect(await response.json()).toEqual([
      { openid: 'o-hq', role: 'hq_admin', name: '总部管理员' },
      { openid: 'o-region', role: 'region_manager', name: '华东区', regionId: 'r1' },
      { openid: 'o-clerk', role: 'clerk', name: '店员小李', storeId: 's1' },
      { openid: 'o-m1', role: 'member', name: '王小明' },
      { openid: 'o-m2', role: 'member', name: '138****0002', maskedPhone: '138****0002' },
    ])
  })

  it('mints valid card codes for a member, a different one on each call', async () => {
    await moveClock('2030-03-01T10:00:00+08:00')
    const first = await post('/api/dev/member-code', { memberId: 'm1' })
    const second = await post('/api/dev/member-code', { memberId: 'm1' })
    const now = cloud.clock.now().getTime()
    await moveClock(null)

    expect(first.body.code).not.toBe(second.body.code)
    for (const { body } of [first, second]) {
      const parts = parseCardCode(body.code)
      expect(parts?.memberNo).toBe('000000001')
      const signature = signCardCode(CODE_SECRET, '000000001', codeStepAt(now), parts!.variant)
      expect(parts?.signature).toBe(signature)
    }
  })

  it('answers 404 for a member that does not exist', async () => {
    const { status } = await post('/api/dev/member-code', { memberId: 'nobody' })

    expect(status).toBe(404)
  })
})

describe('functions using the real @cloudbase/node-sdk', () => {
  afterEach(async () => {
    await moveClock(null)
  })

  it('adds and reads a document through the database actions', async () => {
    const result = await callFunction('sdk', { action: 'note', text: '你好' })

    expect(result.id).toEqual(expect.any(String))
    expect(result.data).toEqual([expect.objectContaining({ _id: result.id, text: '你好' })])
  })

  it('exchanges a phone code once, with WeChat answer', async () => {
    const { body } = await post('/api/dev/phone-code', { phone: '13800138000' })
    const exchanged = await callFunction('sdk', { action: 'phone', code: body.code })
    const reused = await callFunction('sdk', { action: 'phone', code: body.code })

    expect(exchanged).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { timestamp: expect.any(Number), appid: 'wx-local-tongka' },
      },
    })
    expect(reused).toMatchObject({ errcode: 40029, errmsg: 'invalid code' })
  })

  it('refuses a phone code after five minutes, and one it never issued', async () => {
    await moveClock('2030-04-01T10:00:00+08:00')
    const { body } = await post('/api/dev/phone-code', { phone: '+86 139 0000 0000' })
    await moveClock('2030-04-01T10:05:01+08:00')

    const expired = await callFunction('sdk', { action: 'phone', code: body.code })
    const unknown = await callFunction('sdk', { action: 'phone', code: 'f'.repeat(64) })

    expect(expired).toMatchObject({ errcode: 40029 })
    expect(unknown).toMatchObject({ errcode: 40029 })
  })

  it('exchanges a phone code through wx.openApi too', async () => {
    const { body } = await post('/api/dev/phone-code', { phone: '13700137000' })
    const exchanged = await callFunction('sdk', { action: 'compatible', code: body.code })

    expect(exchanged).toMatchObject({ errcode: 0, phone_info: { purePhoneNumber: '13700137000' } })
  })

  it('records subscription messages in the outbox, newest first', async () => {
    const first = await callFunction('sdk', { action: 'send', touser: 'o-m1', text: '第一条' })
    const second = await callFunction('sdk', { action: 'send', touser: 'o-m2', text: '第二条' })
    const outbox = await (await fetch(`${cloud.url}/api/outbox`)).json()

    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok' })
    expect(second).toMatchObject({ errcode: 0 })
    expect(outbox.slice(0, 2)).toEqual([
      expect.objectContaining({ touser: 'o-m2', templateId: 'tpl-visit', errcode: 0 }),
      expect.objectContaining({ touser: 'o-m1', data: { thing1: { value: '第一条' } } }),
    ])
  })

  it('answers 48001 for a WeChat api it does not know', async () => {
    const result = await callFunction('sdk', { action: 'unknownApi' })

    expect(result).toMatchObject({ errcode: 48001, errmsg: 'api unauthorized' })
  })

  it('never connects anywhere but the loopback address', async () => {
    const { outbound } = await callFunction('sdk', { action: 'outbound' })
    const targets = [...new Set<string>(outbound)]

    expect(targets).toEqual(['tcp:127.0.0.1'])
  })
})

describe('the /admin endpoint', () => {
  it('answers ACTION_NOT_SUPPORTED to an action it does not serve', async () => {
    const { body } = await post('/admin?env=tongka-local', { action: 'storage.getUploadMetadata' })

    expect(body).toMatchObject({ code: 'ACTION_NOT_SUPPORTED', message: expect.any(String) })
  })

  it('answers wx.api with WeChat body as a JSON string', async () => {
    const { body } = await post('/admin', { action: 'wx.api', apiName: '/nope', requestData: '{}' })

    const answer = JSON.parse(body.data.responseData)

    expect(answer).toEqual({ errcode: 48001, errmsg: 'api unauthorized' })
  })
})

describe('the h5 build', () => {
  it('serves its files', async () => {
    const response = await fetch(`${cloud.url}/assets/app.js`)

    expect(response.status).toBe(200)
    expect(await response.text()).toContain('tongka')
  })

  it('falls back to index.html for page routes', async () => {
    const response = await fetch(`${cloud.url}/pages/member/card`)

    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Tongka h5')
  })

  it('says how to build it when it is missing', async () => {
    const bare = await startLocalCloud({
      dataDir: path.join(workDir, 'bare-data'),
      functionsDir: FUNCTIONS_DIR,
      staticDir: path.join(workDir, 'no-build-here'),
      schedulerTickMs: 0,
    })

    try {
      const response = await fetch(`${bare.url}/`)
      expect(response.status).toBe(404)
      expect(await response.text()).toContain('npm run build:h5')
    } finally {
      await bare.close()
    }
  })

  it('answers unknown api routes with JSON, not the page', async () => {
    const response = await fetch(`${cloud.url}/api/nothing`)

    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: '没有这个地址：GET /api/nothing' },
    })
  })
})
