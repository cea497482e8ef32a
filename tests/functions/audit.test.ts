import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { CARD_CODE_STEP_SECONDS } from '../../typings/card-code'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

const T0 = '2026-02-10T01:00:00.000Z'
let env: TestCloud
let clockMs = Date.parse(T0)
let memberId: string

beforeAll(async () => {
  env = await startTestCloud()
  await env.dev('clock', { now: T0 })
  await upsertStaff(env.db, {
    _id: 'o-hq-admin',
    openid: 'o-hq-admin',
    name: 'HQ',
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  })
  const { code } = await env.dev<{ code: string }>('phone-code', { phone: '13800138000' })
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

async function issueCoupon(): Promise<string> {
  const template = await env.call(
    'hq',
    {
      action: 'createCouponTemplate',
      title: '满 50 减 10',
      kind: 'cash',
      valueFen: 1_000,
      validDays: 7,
      costBearer: 'hq',
    },
    'o-hq-admin',
  )
  const issued = await env.call(
    'hq',
    { action: 'issueCoupons', templateId: template.data.templateId, memberIds: [memberId] },
    'o-hq-admin',
  )

  return issued.data.issued[0].couponId
}

async function scan(openid: string): Promise<string> {
  clockMs += CARD_CODE_STEP_SECONDS * 1000
  await env.dev('clock', { now: new Date(clockMs).toISOString() })
  const { code } = await env.dev<{ code: string }>('member-code', { memberId })
  const scanned = await env.call('staff', { action: 'scan', code }, openid)

  return scanned.data.visitToken
}

describe('audit completeness over a day at the counter', () => {
  it('writes exactly one entry per personal-data read and per change, and none for refusals', async () => {
    const tokenA = await scan('o-clerk-sA')
    const purchase = {
      action: 'recordPurchase',
      visitToken: tokenA,
      orderNo: 'D1',
      amountFen: 12_000,
    }
    await env.call('staff', purchase, 'o-clerk-sA')
    await env.call('staff', purchase, 'o-clerk-sA')
    const tokenB = await scan('o-clerk-sB')
    await env.call(
      'staff',
      { action: 'recordPurchase', visitToken: tokenB, orderNo: 'D2', amountFen: 5_000 },
      'o-clerk-sB',
    )
    const tokenA2 = await scan('o-clerk-sA')
    const tooMuch = await env.call(
      'staff',
      { action: 'spendPoints', visitToken: tokenA2, points: 1_000_000, orderNo: 'D3' },
      'o-clerk-sA',
    )
    await env.call(
      'staff',
      { action: 'spendPoints', visitToken: tokenA2, points: 30, orderNo: 'D3' },
      'o-clerk-sA',
    )
    await env.call('staff', { action: 'refund', orderNo: 'D1', amountFen: 2_000 }, 'o-clerk-sA')
    const couponId = await issueCoupon()
    const tokenA3 = await scan('o-clerk-sA')
    const redeemed = await env.call(
      'staff',
      { action: 'redeemCoupon', visitToken: tokenA3, couponId, orderNo: 'D4', amountFen: 8_000 },
      'o-clerk-sA',
    )
    await env.call(
      'staff',
      { action: 'recordPurchase', visitToken: tokenA3, orderNo: 'D4', amountFen: 8_000 },
      'o-clerk-sA',
    )
    const refunded = await env.call(
      'staff',
      { action: 'refund', orderNo: 'D4', amountFen: 8_000 },
      'o-clerk-sA',
    )
    await env.call('staff', { action: 'memberDetail', memberId }, 'o-manager-sA')
    await env.call('hq', { action: 'revealMember', memberId }, 'o-hq-admin')

    const entries = await env.db.find<any>('auditLog', { memberId }, { orderBy: [['_id', 'asc']] })

    expect(tooMuch.error.code).toBe('INSUFFICIENT_POINTS')
    expect(redeemed.ok).toBe(true)
    expect(refunded.data.couponsReinstated).toEqual([couponId])
    // Entries of one call may share a millisecond, so the comparison ignores their order.
    const byContent = (rows: unknown[][]) => rows.map((row) => row.join(' ')).sort()
    const actual = entries.map((entry) => [entry.action, entry.actor.openid, entry.actor.storeId])

    expect(byContent(actual)).toEqual(
      byContent([
        ['scan', 'o-clerk-sA', 'sA'],
        ['recordPurchase', 'o-clerk-sA', 'sA'],
        ['scan', 'o-clerk-sB', 'sB'],
        ['recordPurchase', 'o-clerk-sB', 'sB'],
        ['scan', 'o-clerk-sA', 'sA'],
        ['spendPoints', 'o-clerk-sA', 'sA'],
        ['refund', 'o-clerk-sA', 'sA'],
        ['issueCoupon', 'o-hq-admin', null],
        ['scan', 'o-clerk-sA', 'sA'],
        ['redeemCoupon', 'o-clerk-sA', 'sA'],
        ['recordPurchase', 'o-clerk-sA', 'sA'],
        ['refund', 'o-clerk-sA', 'sA'],
        ['reinstateCoupon', 'o-clerk-sA', 'sA'],
        ['memberDetail', 'o-manager-sA', 'sA'],
        ['revealMember', 'o-hq-admin', null],
      ]),
    )
    for (const entry of entries) {
      expect(entry.fields.length).toBeGreaterThan(0)
      expect(entry.requestId).toMatch(/^[0-9a-f]{32}$/)
      expect(entry.actor.role).toMatch(/clerk|store_manager|hq_admin/)
    }
    // One call, one request id: only the refund of the coupon's order changed two things.
    const actionsByRequest = new Map<string, string[]>()
    for (const entry of entries) {
      actionsByRequest.set(entry.requestId, [
        ...(actionsByRequest.get(entry.requestId) ?? []),
        entry.action,
      ])
    }
    const sharedRequests = [...actionsByRequest.values()].filter((actions) => actions.length > 1)

    expect(sharedRequests.map((actions) => actions.sort())).toEqual([['refund', 'reinstateCoupon']])
  })
})

describe('searching the audit log', () => {
  it('finds entries by member, staff, store, action and time, page by page', async () => {
    const search = (query: object) => env.call('hq', { action: 'auditLog', ...query }, 'o-hq-admin')
    const byStaff = await search({ staffOpenid: 'o-clerk-sB' })
    const byStore = await search({ storeId: 'sA', auditAction: 'scan' })
    const byMember = await search({ memberId })
    const before = await search({ memberId, to: T0 })

    expect(byStaff.data.entries.map((entry: any) => entry.action).sort()).toEqual([
      'recordPurchase',
      'scan',
    ])
    expect(byStore.data.entries).toHaveLength(3)
    expect(byMember.data.entries[0].action).toBe('revealMember')
    expect(before.data.entries).toEqual([])
  })

  it('pages newest first with a cursor', async () => {
    const all = await env.db.count('auditLog', {})
    const first = await env.call('hq', { action: 'auditLog' }, 'o-hq-admin')

    expect(first.data.entries).toHaveLength(Math.min(all, 50))
    expect(first.data.nextCursor).toBeNull()
  })
})

describe('append-only', () => {
  it('has no function that updates or removes an audit entry', () => {
    const root = path.join(__dirname, '../../cloudfunctions')
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    )
    const writes = files.flatMap((file) =>
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .filter((line) => /(update|remove|set)\(\s*'auditLog'/.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    )

    expect(writes).toEqual([])
  })
})
