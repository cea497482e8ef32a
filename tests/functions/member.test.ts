import { startTestCloud, type TestCloud } from '../support/test-cloud'

let env: TestCloud

beforeAll(async () => {
  env = await startTestCloud()
})

afterAll(async () => {
  await env.close()
})

async function register(openid: string, phone: string, fields: Record<string, unknown> = {}) {
  const { code } = await env.dev<{ code: string }>('phone-code', { phone })
  const terms = await env.call('member', { action: 'terms' }, openid)

  return env.call(
    'member',
    { action: 'register', phoneCode: code, consentVersion: terms.data.version, ...fields },
    openid,
  )
}

describe('member function through the gateway', () => {
  it('shows the privacy terms to read before registering', async () => {
    const terms = await env.call('member', { action: 'terms' }, 'o-new-reader')

    expect(terms.ok).toBe(true)
    expect(terms.data.version).toMatch(/\S/)
    expect(terms.data.text).toContain('隐私')
  })

  it('registers a member from a store QR and answers their card', async () => {
    const answer = await register('o-wang', '13800138000', { storeId: 'sA', name: '王小明' })

    expect(answer.ok).toBe(true)
    expect(answer.data.isNew).toBe(true)
    expect(answer.data.card).toMatchObject({
      maskedPhone: '138****8000',
      tier: 'regular',
      points: 0,
      homeStore: { storeId: 'sA', name: '鲜邻超市·徐汇区店' },
    })
    expect(answer.data.card.serverTime).toMatch(/\+08:00$/)
  })

  it('answers the same member when registration is retried', async () => {
    const first = await register('o-li', '13900139000')
    const again = await register('o-li', '13900139000')

    expect(again.data.card.memberId).toBe(first.data.card.memberId)
    expect(again.data.isNew).toBe(false)
  })

  it('refuses the same phone from another WeChat account', async () => {
    await register('o-zhao', '13700137000')
    const before = env.snapshot()
    const other = await register('o-zhao-2', '137 0013 7000')

    expect(other.error.code).toBe('PHONE_IN_USE')
    expect(env.snapshot()).toBe(before)
  })

  it('refuses a phone code that WeChat does not know, writing nothing', async () => {
    const before = env.snapshot()
    const answer = await env.call(
      'member',
      { action: 'register', phoneCode: 'forged', consentVersion: '2026-11' },
      'o-forger',
    )

    expect(answer.error.code).toBe('PHONE_CODE_INVALID')
    expect(env.snapshot()).toBe(before)
  })

  it('accepts a phone code only once', async () => {
    const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13600136000' })
    const terms = await env.call('member', { action: 'terms' }, 'o-once')
    const event = { action: 'register', phoneCode: code, consentVersion: terms.data.version }

    expect((await env.call('member', event, 'o-once')).ok).toBe(true)
    expect((await env.call('member', event, 'o-twice')).error.code).toBe('PHONE_CODE_INVALID')
  })

  it('tells a caller who never registered to register', async () => {
    const card = await env.call('member', { action: 'card' }, 'o-stranger')

    expect(card).toEqual({
      ok: false,
      error: { code: 'NOT_REGISTERED', message: expect.any(String) },
    })
  })

  it('gives a fresh card code that a clerk can scan', async () => {
    await register('o-chen', '13500135000')
    const code = await env.call('member', { action: 'code' }, 'o-chen')
    const scan = await env.call('staff', { action: 'scan', code: code.data.code }, 'o-clerk-sB')

    expect(code.data.code).toMatch(/^88\d{18}$/)
    expect(code.data.expiresAt).toMatch(/\+08:00$/)
    expect(scan.ok).toBe(true)
    expect(scan.data.member.maskedPhone).toBe('135****5000')
  })

  it.each([
    ['an unknown action', { action: 'steal' }],
    ['no action at all', {}],
    ['a missing phone code', { action: 'register', consentVersion: '2026-11' }],
    [
      'an extra field',
      { action: 'register', phoneCode: 'x', consentVersion: '2026-11', admin: true },
    ],
    [
      'a malformed birthday',
      { action: 'register', phoneCode: 'x', consentVersion: '2026-11', birthday: 'May 5' },
    ],
    [
      'a store id with a query in it',
      { action: 'register', phoneCode: 'x', consentVersion: '2026-11', storeId: { $ne: 1 } },
    ],
    ['a cursor that is an object', { action: 'history', cursor: { $gt: '' } }],
    ['an array for an event', [1, 2]],
  ])('refuses %s as INVALID_INPUT and writes nothing', async (_case, event) => {
    const before = env.snapshot()
    const answer = await env.call('member', event, 'o-wang')

    expect(answer.ok).toBe(false)
    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })
})

describe('history cursors', () => {
  it.each(['garbage', '-5', '20', '1e3'])(
    'refuses the cursor %p as INVALID_INPUT',
    async (cursor) => {
      const answer = await env.call('member', { action: 'history', cursor }, 'o-wang')

      expect(answer.error.code).toBe('INVALID_INPUT')
    },
  )
})

describe('what a refused event names', () => {
  it('names an unknown field itself', async () => {
    const answer = await env.call('member', { action: 'code', extra: 1 }, 'o-wang')

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(answer.error.message).toContain('extra')
  })
})

describe('the chain as a member sees it', () => {
  it('lists the open stores, by city, for choosing a preferred store', async () => {
    const answer = await env.call('member', { action: 'stores' }, 'o-wang')

    expect(answer.data.stores.map((store: { storeId: string }) => store.storeId)).toEqual([
      'sA',
      'sB',
    ])
    expect(answer.data.stores[0]).toEqual({
      storeId: 'sA',
      name: '鲜邻超市·徐汇区店',
      city: '上海市',
      district: '徐汇区',
    })
  })
})
