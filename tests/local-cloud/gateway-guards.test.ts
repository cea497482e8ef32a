import { request } from 'node:http'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

let env: TestCloud

beforeAll(async () => {
  env = await startTestCloud()
})

afterAll(async () => {
  await env.close()
})

/** A raw request, so that Host and Origin are exactly what a hostile page would send. */
function post(path: string, headers: Record<string, string>, body: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const call = request(
      `${env.url}${path}`,
      { method: 'POST', headers: { 'content-type': 'text/plain', ...headers } },
      (response) => {
        let text = ''
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      },
    )
    call.on('error', reject)
    call.end(JSON.stringify(body))
  })
}

describe('the local gateway and foreign web pages', () => {
  it('refuses a database action posted by another site', async () => {
    const before = env.snapshot()
    const event = { action: 'database.insertDocument', collectionName: 'members', data: ['{}'] }
    const answer = await post('/admin', { origin: 'https://evil.example' }, event)

    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body).error).toEqual({
      code: 'NOT_ALLOWED',
      message: '不接受其他网站发来的请求',
    })
    expect(env.snapshot()).toBe(before)
  })

  it('refuses a request that arrives under another host name', async () => {
    const answer = await post('/api/dev/clock', { host: 'evil.example:8787' }, { now: null })

    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body).error.code).toBe('NOT_ALLOWED')
  })

  it('serves its own pages, which send their own origin', async () => {
    const { host } = new URL(env.url)
    const answer = await post('/api/functions/ping', { origin: env.url, host }, { action: 'ping' })

    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body).result.ok).toBe(true)
  })
})

describe('moving the local clock', () => {
  it.each([
    ['a year past 2099', '+275760-09-13T00:00:00Z'],
    ['a year before 2000', '1900-01-01T00:00:00Z'],
    ['a day that does not exist', '2027-02-30T10:00:00+08:00'],
    ['a time without an offset', '2027-02-03T10:00:00'],
  ])('refuses %s', async (_case, now) => {
    const answer = await post('/api/dev/clock', {}, { now })

    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).error).toEqual({
      code: 'INVALID_INPUT',
      message: expect.any(String),
    })
  })

  it('accepts an instant with an offset and returns to the real clock on null', async () => {
    const moved = await post('/api/dev/clock', {}, { now: '2027-02-03T10:00:00+08:00' })
    const back = await post('/api/dev/clock', {}, { now: null })

    expect(JSON.parse(moved.body).now).toBe('2027-02-03T02:00:00.000Z')
    expect(Math.abs(Date.parse(JSON.parse(back.body).now) - Date.now())).toBeLessThan(5_000)
  })
})

describe('the size of an event', () => {
  it('answers PAYLOAD_TOO_LARGE to a body sent in pieces without its length', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const call = request(
        `${env.url}/api/functions/ping`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          let text = ''
          response.on('data', (chunk) => (text += chunk))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
        },
      )
      call.on('error', reject)
      call.write('{"action":"ping","padding":"')
      call.write('x'.repeat(2 * 1024 * 1024))
      call.end('"}')
    })

    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body).error.code).toBe('PAYLOAD_TOO_LARGE')
  })
})
