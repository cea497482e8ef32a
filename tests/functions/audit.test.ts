import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import {
  loadSigningKey,
  signVisitToken,
  VISIT_TOKEN_TTL_MS,
} from '../../cloudfunctions/domain/visit-tokens'
import { CARD_CODE_STEP_SECONDS } from '../../typings/card-code'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

const T0 = '2026-02-10T01:00:00.000Z'
let env: TestCloud
let clockMs = Date.parse(T0)
let memberId: string
const bytes = (length: number) => new Uint8Array(randomBytes(length))

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
    const beforeTheDay = await env.db.find<any>('auditLog', { memberId })
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

    const earlierIds = new Set(beforeTheDay.map((entry) => entry._id))
    const entries = (
      await env.db.find<any>('auditLog', { memberId }, { orderBy: [['_id', 'asc']] })
    ).filter((entry) => !earlierIds.has(entry._id))

    // The sign-up before the day is the member's own, audited once as the member.
    expect(beforeTheDay.map((entry) => [entry.action, entry.actor.role])).toEqual([
      ['member.register', 'member'],
    ])
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

describe('changes no member of staff makes', () => {
  let clockAt = Date.parse('2026-02-11T02:00:00.000Z')

  async function registerMember(openid: string, phone: string): Promise<string> {
    const { code } = await env.dev<{ code: string }>('phone-code', { phone })
    const terms = await env.call('member', { action: 'terms' }, openid)
    const registered = await env.call(
      'member',
      { action: 'register', phoneCode: code, consentVersion: terms.data.version, storeId: 'sA' },
      openid,
    )

    return registered.data.card.memberId
  }

  async function createTemplate(fields: Record<string, unknown>): Promise<string> {
    const created = await env.call(
      'hq',
      {
        action: 'createCouponTemplate',
        title: '满 50 减 10',
        kind: 'cash',
        valueFen: 1_000,
        validDays: 7,
        costBearer: 'hq',
        ...fields,
      },
      'o-hq-admin',
    )

    return created.data.templateId
  }

  const entriesOf = (member: string, action: string) =>
    env.db.find<any>('auditLog', { memberId: member, action }, { limit: 100 })

  beforeAll(async () => {
    await env.dev('clock', { now: new Date(clockAt).toISOString() })
  })

  it("audits a member's own exchange once, as the member, and not again on a retry", async () => {
    const member = await registerMember('o-exchanger', '13800138001')
    const keyHex = await loadSigningKey(env.db, bytes)
    const visitToken = signVisitToken(keyHex, {
      memberId: member,
      storeId: 'sA',
      clerkOpenid: 'o-clerk-sA',
      expiresAtMs: clockAt + VISIT_TOKEN_TTL_MS,
    })
    await env.call(
      'staff',
      { action: 'recordPurchase', visitToken, orderNo: 'X-1', amountFen: 10_000 },
      'o-clerk-sA',
    )
    const templateId = await createTemplate({ exchangePoints: 50 })
    const exchange = { action: 'exchange', templateId, exchangeNo: 'AUDIT-X1' }

    const first = await env.call('member', exchange, 'o-exchanger')
    const retry = await env.call('member', exchange, 'o-exchanger')
    const entries = await entriesOf(member, 'exchange')

    expect(retry).toEqual(first)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { openid: `member:${member}`, role: 'member', storeId: null },
      fields: ['points', 'coupons'],
      detail: { templateId, couponId: first.data.couponId, points: 50 },
    })
    expect(entries[0].requestId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('audits the welcome gift once, as the system, and not again when registration is retried', async () => {
    const templateId = await createTemplate({ title: '新人礼' })
    await env.db.set('settings', { _id: 'welcomeGift', templateId })
    let member: string
    try {
      member = await registerMember('o-newcomer', '13800138002')
      await registerMember('o-newcomer', '13800138002')
    } finally {
      await env.db.set('settings', { _id: 'welcomeGift', templateId: null })
    }

    const entries = await entriesOf(member, 'issueCoupon')

    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { openid: 'system:welcomeGift', role: 'system', storeId: null },
      fields: ['coupons'],
      detail: { templateId, source: 'welcome' },
    })
  })

  it('audits an HQ batch once per member, however often it is retried', async () => {
    const templateId = await createTemplate({})
    const batch = { action: 'issueCoupons', templateId, memberIds: [memberId], issueNo: 'AUDIT-B1' }

    await env.call('hq', batch, 'o-hq-admin')
    await env.call('hq', batch, 'o-hq-admin')
    const entries = (await entriesOf(memberId, 'issueCoupon')).filter(
      (entry) => entry.detail.templateId === templateId,
    )

    expect(entries).toHaveLength(1)
    expect(entries[0].actor).toEqual({ openid: 'o-hq-admin', role: 'hq_admin', storeId: null })
  })

  it('audits each coupon the expiry timer marks, once, as the system', async () => {
    const member = await registerMember('o-forgetful', '13800138003')
    const templateId = await createTemplate({ validDays: 1 })
    const issued = await env.call(
      'hq',
      { action: 'issueCoupons', templateId, memberIds: [member] },
      'o-hq-admin',
    )
    const couponId = issued.data.issued[0].couponId
    clockAt += 3 * 24 * 60 * 60 * 1000
    await env.dev('clock', { now: new Date(clockAt).toISOString() })

    await env.dev('trigger/couponExpiry')
    await env.dev('trigger/couponExpiry')
    const entries = await entriesOf(member, 'expireCoupon')

    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { openid: 'system:couponExpiry', role: 'system', storeId: null },
      fields: ['coupons'],
      detail: { couponId, templateId },
    })
  })
})
