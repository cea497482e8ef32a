import { parse } from 'csv-parse/sync'
import { randomBytes } from 'node:crypto'
import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import type { StaffDoc, StaffRole } from '../../cloudfunctions/domain/models'
import {
  hqPermissions,
  hqScope,
  openStaffActions,
  staffPermissions,
  staffScope,
  type HqAction,
  type StaffAction,
} from '../../cloudfunctions/domain/permissions'
import { defaultPointsRules } from '../../cloudfunctions/domain/points-rules'
import {
  loadSigningKey,
  signVisitToken,
  VISIT_TOKEN_TTL_MS,
} from '../../cloudfunctions/domain/visit-tokens'
import { CARD_CODE_STEP_SECONDS } from '../../typings/card-code'
import { demoStores, startTestCloud, type TestCloud } from '../support/test-cloud'

const T0 = '2026-01-15T04:00:00.000Z'
const MONTH = '2026-01'
let env: TestCloud
let clockMs = Date.parse(T0)
let counter = 0
let eastMember: string
let westMember: string

/** The caller who stands for each role in the walk; all of region east, store sA where bound. */
const callers: Record<StaffRole, { openid: string; storeId: string | null }> = {
  clerk: { openid: 'o-clerk-sA', storeId: 'sA' },
  store_manager: { openid: 'o-manager-sA', storeId: 'sA' },
  region_manager: { openid: 'o-region-east', storeId: null },
  hq_admin: { openid: 'o-hq-admin', storeId: null },
  hq_analyst: { openid: 'o-hq-analyst', storeId: null },
}
const roles = Object.keys(callers) as StaffRole[]

function staff(openid: string, role: StaffRole, storeId: string | null, regionId: string | null) {
  const doc: StaffDoc = {
    _id: openid,
    openid,
    name: openid,
    role,
    storeId,
    regionId,
    isActive: true,
  }

  return doc
}

async function register(openid: string, phone: string, storeId: string) {
  const { code } = await env.dev<{ code: string }>('phone-code', { phone })
  const terms = await env.call('member', { action: 'terms' }, openid)
  const registered = await env.call(
    'member',
    {
      action: 'register',
      phoneCode: code,
      consentVersion: terms.data.version,
      storeId,
      name: '王小明',
      birthday: '1990-05-17',
    },
    openid,
  )

  return registered.data.card.memberId as string
}

async function visitToken(memberId: string, clerkOpenid: string, storeId: string) {
  const keyHex = await loadSigningKey(env.db, (length) => new Uint8Array(randomBytes(length)))

  return signVisitToken(keyHex, {
    memberId,
    storeId,
    clerkOpenid,
    expiresAtMs: clockMs + VISIT_TOKEN_TTL_MS,
  })
}

/** A fresh card code, a code step later, as the member's phone would show it. */
async function nextCode(memberId: string) {
  clockMs += CARD_CODE_STEP_SECONDS * 1000
  await env.dev('clock', { now: new Date(clockMs).toISOString() })
  const { code } = await env.dev<{ code: string }>('member-code', { memberId })

  return code
}

async function createTemplate() {
  const created = await env.call(
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

  return created.data.templateId as string
}

type Caller = (typeof callers)[StaffRole]
type Sample = (caller: Caller) => Promise<Record<string, unknown>>

const tokenFor = (caller: Caller) => visitToken(eastMember, caller.openid, caller.storeId ?? 'sA')
const next = () => (counter += 1)

/**
 * One valid event per action of the table, built fresh for each call (card codes and order
 * numbers are single-use). Setup they need happens here, before the snapshot of a refusal.
 */
const samples: Record<string, Sample> = {
  'staff.me': async () => ({}),
  'staff.scan': async () => ({ code: await nextCode(eastMember) }),
  'staff.recordPurchase': async (caller) => ({
    visitToken: await tokenFor(caller),
    orderNo: `P-${next()}`,
    amountFen: 1_000,
  }),
  'staff.spendPoints': async (caller) => ({
    visitToken: await tokenFor(caller),
    points: 1,
    orderNo: `S-${next()}`,
  }),
  'staff.refund': async () => ({ orderNo: 'SEED-1', amountFen: 100, refundNo: `RN-${next()}` }),
  'staff.redeemCoupon': async (caller) => {
    const templateId = await createTemplate()
    const issued = await env.call(
      'hq',
      { action: 'issueCoupons', templateId, memberIds: [eastMember] },
      'o-hq-admin',
    )

    return {
      visitToken: await tokenFor(caller),
      couponId: issued.data.issued[0].couponId,
      orderNo: `C-${next()}`,
      amountFen: 10_000,
    }
  },
  'staff.settlement': async () => ({ month: MONTH }),
  'staff.memberDetail': async () => ({ memberId: eastMember }),
  'staff.inviteStaff': async () => ({ name: '新店员' }),
  'staff.team': async () => ({}),
  'staff.todayVisits': async () => ({}),
  'staff.members': async () => ({}),
  'hq.adjustPoints': async () => ({ memberId: eastMember, points: 5, reason: '测试权限' }),
  'hq.getRules': async () => ({}),
  'hq.chain': async () => ({}),
  'hq.updateRules': async () => ({ rules: defaultPointsRules }),
  'hq.createCouponTemplate': async () => ({
    title: '满 50 减 10',
    kind: 'cash',
    valueFen: 1_000,
    validDays: 7,
    costBearer: 'hq',
  }),
  'hq.issueCoupons': async () => ({
    templateId: await createTemplate(),
    memberIds: [eastMember],
  }),
  'hq.couponTemplates': async () => ({}),
  'hq.settlement': async () => ({ month: MONTH }),
  'hq.upsertStaff': async () => ({
    openid: `o-new-${next()}`,
    name: '新店员',
    role: 'clerk',
    storeId: 'sB',
  }),
  'hq.findMember': async () => ({ phone: '+86 138-0013-8000' }),
  'hq.revealMember': async () => ({ memberId: eastMember }),
  'hq.auditLog': async () => ({}),
  'hq.exportMembers': async () => ({ storeId: 'sA' }),
}

const tableActions = [
  ...Object.keys(staffPermissions).map((action) => `staff.${action}`),
  ...Object.keys(hqPermissions).map((action) => `hq.${action}`),
]

function scopeOf(role: StaffRole, key: string) {
  const [name, action] = key.split('.')

  return name === 'staff'
    ? staffScope(role, action as StaffAction)
    : hqScope(role, action as HqAction)
}

beforeAll(async () => {
  env = await startTestCloud()
  await env.dev('clock', { now: T0 })
  await upsertRegion(env.db, { _id: 'west', name: '西南' })
  await upsertStore(env.db, {
    ...demoStores[0],
    _id: 'sW',
    name: '鲜邻超市·武侯区店',
    regionId: 'west',
  })
  await upsertStaff(env.db, staff('o-clerk-sW', 'clerk', 'sW', 'west'))
  await upsertStaff(env.db, staff('o-hq-admin', 'hq_admin', null, null))
  await upsertStaff(env.db, staff('o-hq-analyst', 'hq_analyst', null, null))
  eastMember = await register('o-wang', '13800138000', 'sA')
  westMember = await register('o-li', '13900139000', 'sW')
  // A big order at sA to refund from and a balance to spend, recorded as sA's clerk would.
  await env.call(
    'staff',
    {
      action: 'recordPurchase',
      visitToken: await visitToken(eastMember, 'o-clerk-sA', 'sA'),
      orderNo: 'SEED-1',
      amountFen: 100_000,
    },
    'o-clerk-sA',
  )
})

afterAll(async () => {
  await env.close()
})

describe('the role × action table, walked through the gateway', () => {
  it('has a sample event for every action of every function in the table', () => {
    expect(tableActions.filter((key) => !samples[key])).toEqual([])
    expect(Object.keys(samples).filter((key) => !tableActions.includes(key))).toEqual([])
  })

  it('keeps the invitation, the one action of a caller not yet staff, out of the table', () => {
    expect(openStaffActions.filter((action) => action in staffPermissions)).toEqual([])
  })

  const cases = roles.flatMap((role) =>
    tableActions.map((key) => [role, key, scopeOf(role, key) ?? 'none: refused'] as const),
  )

  it.each(cases)('a %s calling %s (scope %s)', async (role, key, scope) => {
    const caller = callers[role]
    const [name, action] = key.split('.')
    const event = { action, ...(await samples[key](caller)) }
    const before = env.snapshot()
    const answer = await env.call(name, event, caller.openid)

    if (scope !== 'none: refused') {
      expect({ key, answer }).toMatchObject({ key, answer: { ok: true } })
    } else {
      expect({ key, code: answer.error?.code }).toEqual({ key, code: 'NOT_ALLOWED' })
      expect(env.snapshot()).toBe(before)
    }
  })

  it('refuses every action to a caller who is not staff, and writes nothing', async () => {
    for (const key of tableActions) {
      const [name, action] = key.split('.')
      const event = { action, ...(await samples[key](callers.clerk)) }
      const before = env.snapshot()
      const answer = await env.call(name, event, 'o-wang')

      expect({ key, code: answer.error?.code }).toEqual({ key, code: 'NOT_ALLOWED' })
      expect(env.snapshot()).toBe(before)
    }
  })
})

describe('scopes', () => {
  it('lets a clerk of another region scan any member, but not read their detail', async () => {
    const scan = await env.call(
      'staff',
      { action: 'scan', code: await nextCode(eastMember) },
      'o-clerk-sW',
    )
    const detail = await env.call(
      'staff',
      { action: 'memberDetail', memberId: eastMember },
      'o-clerk-sW',
    )

    expect(scan.ok).toBe(true)
    expect(detail.error.code).toBe('NOT_FOUND')
  })

  it('limits a region manager to the members and audit entries of their region', async () => {
    const own = await env.call(
      'hq',
      { action: 'revealMember', memberId: eastMember },
      'o-region-east',
    )
    const other = await env.call(
      'hq',
      { action: 'revealMember', memberId: westMember },
      'o-region-east',
    )
    const found = await env.call(
      'hq',
      { action: 'findMember', phone: '13900139000' },
      'o-region-east',
    )
    const log = await env.call('hq', { action: 'auditLog' }, 'o-region-east')
    const westLog = await env.call('hq', { action: 'auditLog', storeId: 'sW' }, 'o-region-east')

    expect(own.ok).toBe(true)
    expect(other.error.code).toBe('NOT_FOUND')
    expect(found.error.code).toBe('NOT_FOUND')
    expect(log.data.entries.length).toBeGreaterThan(0)
    expect(log.data.entries.every((e: any) => ['sA', 'sB'].includes(e.actor.storeId))).toBe(true)
    expect(westLog.error.code).toBe('NOT_ALLOWED')
  })

  it("lists a store manager their own store's staff, a region manager their region's", async () => {
    const store = await env.call('staff', { action: 'team' }, 'o-manager-sA')
    const region = await env.call('staff', { action: 'team' }, 'o-region-east')

    expect(new Set(store.data.members.map((s: any) => s.storeId))).toEqual(new Set(['sA']))
    expect(region.data.members.map((s: any) => s.openid)).not.toContain('o-clerk-sW')
    expect(region.data.members.map((s: any) => s.openid)).toContain('o-clerk-sB')
  })
})

describe('member lists', () => {
  const listedIds = async (openid: string) => {
    const listed = await env.call('staff', { action: 'members' }, openid)

    return listed.data.members.map((member: any) => member.memberId)
  }

  it('lists a store manager and a region manager only the members of their scope, masked', async () => {
    const store = await env.call('staff', { action: 'members' }, 'o-manager-sA')

    expect(store.data.members.map((member: any) => member.memberId)).toEqual([eastMember])
    expect(store.data.members[0]).toMatchObject({ phone: '138****8000', isMasked: true })
    expect(await listedIds('o-region-east')).toEqual([eastMember])
    expect((await listedIds('o-hq-analyst')).sort()).toEqual([eastMember, westMember].sort())
  })

  it('audits every member a list shows', async () => {
    const before = await env.db.count('auditLog', { action: 'members', memberId: westMember })
    await env.call('staff', { action: 'members' }, 'o-hq-admin')

    expect(await env.db.count('auditLog', { action: 'members', memberId: westMember })).toBe(
      before + 1,
    )
  })
})

describe('the member export', () => {
  it('gives HQ an unmasked CSV and audits every member in it, once', async () => {
    const before = await env.db.count('auditLog', { action: 'exportMembers' })
    const exported = await env.call('hq', { action: 'exportMembers' }, 'o-hq-admin')
    const rows = parse(exported.data.csv.replace(/^\uFEFF/, ''), { columns: true })

    expect(exported.data).toMatchObject({ count: 2, nextCursor: null })
    expect(rows.map((row: any) => row['手机号']).sort()).toEqual([
      '+8613800138000',
      '+8613900139000',
    ])
    const entries = await env.db.find<any>('auditLog', { action: 'exportMembers' })
    expect(entries.length - before).toBe(2)
    expect(entries.map((entry) => entry.memberId)).toEqual(
      expect.arrayContaining([eastMember, westMember]),
    )
  })

  it('narrows to one home store and refuses every role but the HQ admin', async () => {
    const store = await env.call('hq', { action: 'exportMembers', storeId: 'sW' }, 'o-hq-admin')
    const analyst = await env.call('hq', { action: 'exportMembers' }, 'o-hq-analyst')
    const region = await env.call('hq', { action: 'exportMembers' }, 'o-region-east')

    expect(store.data.count).toBe(1)
    expect(store.data.csv).toContain('+8613900139000')
    expect(store.data.csv).not.toContain('+8613800138000')
    expect(analyst.error.code).toBe('NOT_ALLOWED')
    expect(region.error.code).toBe('NOT_ALLOWED')
  })
})

describe("the store's day", () => {
  it("lists today's visits of the caller's own store only", async () => {
    const visits = await env.call('staff', { action: 'todayVisits' }, 'o-clerk-sA')
    const otherStore = await env.call('staff', { action: 'todayVisits' }, 'o-clerk-sW')

    expect(visits.data.map((visit: any) => visit.visitId)).toContain('sA.SEED-1')
    expect(visits.data.every((visit: any) => visit.visitId.startsWith('sA.'))).toBe(true)
    expect(otherStore.data).toEqual([])
  })
})

describe('staff management', () => {
  it('binds an invitation to the first openid that uses it, once, until it expires', async () => {
    const invited = await env.call('staff', { action: 'inviteStaff', name: '小张' }, 'o-manager-sA')
    const accepted = await env.call(
      'staff',
      { action: 'acceptInvitation', code: invited.data.code },
      'o-zhang',
    )
    const retried = await env.call(
      'staff',
      { action: 'acceptInvitation', code: invited.data.code },
      'o-zhang',
    )
    const second = await env.call(
      'staff',
      { action: 'acceptInvitation', code: invited.data.code },
      'o-zhao',
    )
    const me = await env.call('staff', { action: 'me' }, 'o-zhang')

    expect(accepted.data).toMatchObject({ role: 'clerk', storeId: 'sA', regionId: 'east' })
    expect(retried.ok).toBe(true)
    expect(second.error.code).toBe('CODE_USED')
    expect(me.data).toMatchObject({ role: 'clerk', store: { storeId: 'sA' } })
    const trail = await env.db.find('auditLog', { action: /invit/i })
    expect(trail.length).toBeGreaterThanOrEqual(2)
    expect(JSON.stringify(trail)).not.toContain(invited.data.code)

    const late = await env.call('staff', { action: 'inviteStaff', name: '小周' }, 'o-manager-sA')
    clockMs += 73 * 60 * 60 * 1000
    await env.dev('clock', { now: new Date(clockMs).toISOString() })
    const expired = await env.call(
      'staff',
      { action: 'acceptInvitation', code: late.data.code },
      'o-zhou',
    )

    expect(expired.error.code).toBe('CODE_EXPIRED')
    expect(await env.db.get('staff', 'o-zhou')).toBeNull()
  })

  it('reads an invitation code typed in lower case as the code itself', async () => {
    const invited = await env.call('staff', { action: 'inviteStaff', name: '小林' }, 'o-manager-sA')
    const typed = ` ${invited.data.code.toLowerCase()} `
    const accepted = await env.call('staff', { action: 'acceptInvitation', code: typed }, 'o-lin')

    expect(invited.data.code).toMatch(/[A-Z]/)
    expect(accepted.data).toMatchObject({ role: 'clerk', storeId: 'sA' })
  })

  it("moves a clerk at once: the old store's visit is refused, the new store works", async () => {
    await upsertStaff(env.db, staff('o-mover', 'clerk', 'sA', 'east'))
    const oldToken = await visitToken(eastMember, 'o-mover', 'sA')
    const moved = await env.call(
      'hq',
      { action: 'upsertStaff', openid: 'o-mover', name: '调岗', role: 'clerk', storeId: 'sW' },
      'o-hq-admin',
    )
    const before = env.snapshot()
    const refused = await env.call(
      'staff',
      { action: 'recordPurchase', visitToken: oldToken, orderNo: 'MOVE-1', amountFen: 500 },
      'o-mover',
    )

    expect(moved.data).toMatchObject({ storeId: 'sW', regionId: 'west' })
    expect(refused.error.code).toBe('NOT_ALLOWED')
    expect(env.snapshot()).toBe(before)

    const newToken = await visitToken(eastMember, 'o-mover', 'sW')
    const recorded = await env.call(
      'staff',
      { action: 'recordPurchase', visitToken: newToken, orderNo: 'MOVE-1', amountFen: 500 },
      'o-mover',
    )

    expect(recorded.ok).toBe(true)
  })

  it('refuses a deactivated member of staff at once, and audits the change', async () => {
    await upsertStaff(env.db, staff('o-leaver', 'store_manager', 'sB', 'east'))
    const deactivated = await env.call(
      'hq',
      {
        action: 'upsertStaff',
        openid: 'o-leaver',
        name: '离职',
        role: 'store_manager',
        storeId: 'sB',
        isActive: false,
      },
      'o-hq-admin',
    )
    const me = await env.call('staff', { action: 'me' }, 'o-leaver')
    const audited = await env.db.find('auditLog', { action: 'upsertStaff' })

    expect(deactivated.ok).toBe(true)
    expect(me.error.code).toBe('NOT_ALLOWED')
    expect(audited.some((entry: any) => entry.detail.openid === 'o-leaver')).toBe(true)
  })
})

describe('masking by role', () => {
  const masked = { phone: '138****8000', name: '王**', birthday: '05-17', isMasked: true }

  it.each(roles)('shows a %s the member detail masked', async (role) => {
    const detail = await env.call(
      'staff',
      { action: 'memberDetail', memberId: eastMember },
      callers[role].openid,
    )

    expect(detail.data).toMatchObject(masked)
    expect(JSON.stringify(detail.data)).not.toContain('13800138000')
  })

  it.each(['hq_admin', 'region_manager'] as const)(
    'unmasks for a %s only on reveal',
    async (role) => {
      const revealed = await env.call(
        'hq',
        { action: 'revealMember', memberId: eastMember },
        callers[role].openid,
      )
      const found = await env.call(
        'hq',
        { action: 'findMember', phone: '138 0013 8000' },
        callers[role].openid,
      )

      expect(revealed.data).toMatchObject({
        phone: '+8613800138000',
        name: '王小明',
        birthday: '1990-05-17',
        isMasked: false,
      })
      expect(found.data).toMatchObject({ memberId: eastMember, member: masked })
    },
  )

  it('keeps an HQ analyst masked: they find members but may not reveal', async () => {
    const found = await env.call(
      'hq',
      { action: 'findMember', phone: '8613800138000' },
      'o-hq-analyst',
    )
    const revealed = await env.call(
      'hq',
      { action: 'revealMember', memberId: eastMember },
      'o-hq-analyst',
    )

    expect(found.data.member).toMatchObject(masked)
    expect(revealed.error.code).toBe('NOT_ALLOWED')
  })
})
