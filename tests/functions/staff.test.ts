import { CARD_CODE_STEP_SECONDS } from '../../typings/card-code'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

let env: TestCloud
let memberId: string

beforeAll(async () => {
  env = await startTestCloud()
  const { code } = await env.dev<{ code: string }>('phone-code', { phone: '+86 138-0013-8000' })
  const terms = await env.call('member', { action: 'terms' }, 'o-wang')
  const registered = await env.call(
    'member',
    { action: 'register', phoneCode: code, consentVersion: terms.data.version, storeId: 'sA' },
    'o-wang',
  )
  memberId = registered.data.card.memberId
})

afterAll(async () => {
  await env.close()
})

let clockMs = Date.now()

/** Each scan happens a code step later, as scans of one member at real counters do. */
async function nextCode(): Promise<string> {
  clockMs += CARD_CODE_STEP_SECONDS * 1000
  await env.dev('clock', { now: new Date(clockMs).toISOString() })
  const { code } = await env.dev<{ code: string }>('member-code', { memberId })

  return code
}

async function scanAs(openid: string) {
  const code = await nextCode()

  return env.call('staff', { action: 'scan', code }, openid)
}

describe('staff function through the gateway', () => {
  it('tells a clerk who they are and where they work', async () => {
    const me = await env.call('staff', { action: 'me' }, 'o-clerk-sB')

    expect(me.data).toMatchObject({ role: 'clerk', store: { storeId: 'sB', city: '杭州市' } })
  })

  it("names a region manager's region, which has no store to name", async () => {
    const me = await env.call('staff', { action: 'me' }, 'o-region-east')

    expect(me.data).toMatchObject({
      role: 'region_manager',
      store: null,
      regionId: 'east',
      regionName: '华东',
    })
  })

  it('shows a clerk of another store the masked summary of a scanned member', async () => {
    const scan = await scanAs('o-clerk-sB')

    expect(scan.ok).toBe(true)
    expect(scan.data.member).toMatchObject({
      memberId,
      maskedPhone: '138****8000',
      points: 0,
      homeStore: { storeId: 'sA' },
    })
    expect(JSON.stringify(scan.data)).not.toContain('13800138000')
    expect(JSON.stringify(scan.data)).not.toContain('codeSecret')
  })

  it('records a purchase, earns points and lists it in the history at that store', async () => {
    const scan = await scanAs('o-clerk-sB')
    const event = {
      action: 'recordPurchase',
      visitToken: scan.data.visitToken,
      orderNo: 'HZ-0001',
      amountFen: 8_850,
    }
    const recorded = await env.call('staff', event, 'o-clerk-sB')
    const card = await env.call('member', { action: 'card' }, 'o-wang')
    const history = await env.call('member', { action: 'history' }, 'o-wang')

    expect(recorded.data).toMatchObject({ pointsEarned: 88, balance: 88 })
    expect(card.data.points).toBe(88)
    expect(history.data.items[0]).toMatchObject({
      orderNo: 'HZ-0001',
      amountFen: 8_850,
      pointsEarned: 88,
      store: { storeId: 'sB', name: '鲜邻超市·西湖区店' },
    })
  })

  it('answers a retried purchase with the first result and earns nothing more', async () => {
    const scan = await scanAs('o-clerk-sA')
    const event = {
      action: 'recordPurchase',
      visitToken: scan.data.visitToken,
      orderNo: 'SH-0001',
      amountFen: 1_000,
    }
    const first = await env.call('staff', event, 'o-clerk-sA')
    const retries = await Promise.all(
      [1, 2, 3, 4].map(() => env.call('staff', event, 'o-clerk-sA')),
    )
    const card = await env.call('member', { action: 'card' }, 'o-wang')

    for (const retry of retries) expect(retry).toEqual(first)
    expect(card.data.points).toBe(first.data.balance)
  })

  it('refuses the same order number with a different amount', async () => {
    const scan = await scanAs('o-clerk-sA')
    const before = env.snapshot()
    const event = {
      action: 'recordPurchase',
      visitToken: scan.data.visitToken,
      orderNo: 'SH-0001',
      amountFen: 2_000,
    }
    const answer = await env.call('staff', event, 'o-clerk-sA')

    expect(answer.error.code).toBe('DUPLICATE_ORDER')
    expect(env.snapshot()).toBe(before)
  })

  it('refuses a card code scanned a second time', async () => {
    const code = await nextCode()
    await env.call('staff', { action: 'scan', code }, 'o-clerk-sA')
    const again = await env.call('staff', { action: 'scan', code }, 'o-clerk-sB')

    expect(again.error.code).toBe('CODE_USED')
  })

  it('refuses a code scanned after the clock moved on', async () => {
    const code = await nextCode()
    clockMs += 2 * 60_000
    await env.dev('clock', { now: new Date(clockMs).toISOString() })
    const late = await env.call('staff', { action: 'scan', code }, 'o-clerk-sA')

    expect(late.error.code).toBe('CODE_EXPIRED')
  })

  it('purges used codes once their minute has passed, and the purged code stays refused', async () => {
    const stepMs = CARD_CODE_STEP_SECONDS * 1000
    const code = await nextCode()
    const codeStep = Math.floor(clockMs / stepMs)
    await env.call('staff', { action: 'scan', code }, 'o-clerk-sA')
    const fresh = await nextCode()
    await env.call('staff', { action: 'scan', code: fresh }, 'o-clerk-sA')
    const usedBefore = await env.db.count('usedCardCodes', {})
    // Two steps on, the first code is past its tolerated skew; the second is not yet.
    clockMs = (codeStep + 2) * stepMs + 1_000
    await env.dev('clock', { now: new Date(clockMs).toISOString() })

    const run = await env.dev<{ result: any }>('trigger/cardCodePurge')
    const late = await env.call('staff', { action: 'scan', code }, 'o-clerk-sB')

    expect(run.result.data).toMatchObject({ isDone: true })
    expect(run.result.data.purged).toBeGreaterThanOrEqual(1)
    expect(await env.db.count('usedCardCodes', {})).toBe(usedBefore - run.result.data.purged)
    expect(await env.db.count('usedCardCodes', {})).toBeGreaterThanOrEqual(1)
    expect(late.error.code).toBe('CODE_EXPIRED')
  })

  it.each([
    ['a member', 'o-wang'],
    ['nobody', undefined],
    ['a region manager, who has no counter', 'o-region-east'],
  ])('does not let %s scan', async (_who, openid) => {
    const answer = await env.call('staff', { action: 'scan', code: await nextCode() }, openid)

    expect(answer.error.code).toBe('NOT_ALLOWED')
  })

  it.each([
    ['a negative amount', { orderNo: 'X1', amountFen: -100 }],
    ['a fractional amount of fen', { orderNo: 'X1', amountFen: 10.5 }],
    ['an amount written as text', { orderNo: 'X1', amountFen: '100' }],
    ['a zero amount', { orderNo: 'X1', amountFen: 0 }],
    ['an order number with spaces inside', { orderNo: 'X 1', amountFen: 100 }],
    ['a missing order number', { amountFen: 100 }],
    ['an extra field', { orderNo: 'X1', amountFen: 100, points: 1_000_000 }],
  ])('refuses a purchase with %s as INVALID_INPUT and writes nothing', async (_case, fields) => {
    const scan = await scanAs('o-clerk-sA')
    const before = env.snapshot()
    const event = { action: 'recordPurchase', visitToken: scan.data.visitToken, ...fields }
    const answer = await env.call('staff', event, 'o-clerk-sA')

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })

  it('refuses a forged visit token', async () => {
    const event = {
      action: 'recordPurchase',
      visitToken: 'e30.forged',
      orderNo: 'X2',
      amountFen: 100,
    }
    const answer = await env.call('staff', event, 'o-clerk-sA')

    expect(answer.error.code).toBe('INVALID_INPUT')
  })
})
