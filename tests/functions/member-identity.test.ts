import { startTestCloud, type TestCloud } from '../support/test-cloud'

let env: TestCloud
/** The local clock, moved forward only, so that codes and tickets see a consistent now. */
let clock = new Date('2026-12-03T02:00:00.000Z')

beforeAll(async () => {
  env = await startTestCloud()
  await env.dev('clock', { now: clock.toISOString() })
})

afterAll(async () => {
  await env.dev('clock', { now: null })
  await env.close()
})

async function advanceClock(ms: number) {
  clock = new Date(clock.getTime() + ms)
  await env.dev('clock', { now: clock.toISOString() })
}

/** Calls the member function as a WeChat account, with a unionid when WeChat would send one. */
async function callAs(openid: string, event: unknown, unionid?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-openid': openid }
  if (unionid) headers['x-unionid'] = unionid
  const response = await fetch(`${env.url}/api/functions/member`, {
    method: 'POST',
    headers,
    body: JSON.stringify(event),
  })

  return (await response.json()).result
}

async function phoneCode(phone: string): Promise<string> {
  return (await env.dev<{ code: string }>('phone-code', { phone })).code
}

async function currentTermsVersion(): Promise<string> {
  return (await env.call('member', { action: 'terms' }, 'o-reader')).data.version
}

async function register(
  openid: string,
  phone: string,
  fields: Record<string, unknown> = {},
  unionid?: string,
) {
  const event = {
    action: 'register',
    phoneCode: await phoneCode(phone),
    consentVersion: await currentTermsVersion(),
    ...fields,
  }

  return callAs(openid, event, unionid)
}

async function publishTerms(version: string) {
  await env.db.set('settings', {
    _id: 'brand',
    terms: { version, text: `鲜邻超市会员隐私条款（${version} 版）` },
  })
}

async function scanAndBuy(memberId: string, clerk: string, orderNo: string) {
  const { code } = await env.dev<{ code: string }>('member-code', { memberId })
  const scan = await env.call('staff', { action: 'scan', code }, clerk)
  const event = {
    action: 'recordPurchase',
    visitToken: scan.data.visitToken,
    orderNo,
    amountFen: 5_000,
  }

  return env.call('staff', event, clerk)
}

/** Every document of every collection, as one string, to search for personal data. */
function everythingStored(): string {
  return JSON.stringify(
    env.cloud.store.collectionNames().map((name) => env.cloud.store.find(name, {})),
  )
}

describe('registration', () => {
  it('is audited once, as the member, without the personal values', async () => {
    const registered = await register('o-audited', '13811119999', { name: '审计' })
    const memberId = registered.data.card.memberId
    await register('o-audited', '13811119999', { name: '审计' })

    const entries = await env.db.find<any>('auditLog', { memberId, action: 'member.register' })
    expect(entries).toHaveLength(1)
    expect(entries[0].actor).toEqual({
      openid: `member:${memberId}`,
      role: 'member',
      storeId: null,
    })
    expect(entries[0].fields).toEqual(expect.arrayContaining(['phone', 'openid', 'name']))
    expect(JSON.stringify(entries)).not.toMatch(/o-audited|13811119999|审计/)
  })
})

describe('a refused registration', () => {
  it.each([
    ['outdated terms', '13811120001', { consentVersion: '2020-01' }, 'CONSENT_OUTDATED'],
    ['an unknown store', '13811120002', { storeId: 's-no-such-store' }, 'INVALID_INPUT'],
    ['a name too long', '13811120003', { name: '长'.repeat(33) }, 'INVALID_INPUT'],
    ['a birthday after today', '13811120004', { birthday: '2030-01-01' }, 'INVALID_INPUT'],
  ])(
    'leaves the phone code for the corrected retry after %s',
    async (_case, phone, wrong, code) => {
      const openid = `o-retry-${phone}`
      const event = {
        action: 'register',
        phoneCode: await phoneCode(phone),
        consentVersion: await currentTermsVersion(),
      }
      const before = env.snapshot()

      const refused = await callAs(openid, { ...event, ...wrong })
      expect(refused.error.code).toBe(code)
      expect(env.snapshot()).toBe(before)

      const retried = await callAs(openid, event)
      expect(retried.data).toMatchObject({ isNew: true, card: { maskedPhone: expect.any(String) } })
    },
  )
})

describe('unionid', () => {
  it('finds the same member from the brand’s other app by unionid', async () => {
    const first = await register('o-app1-sun', '13811110001', {}, 'u-sun')
    const sameOnOtherApp = await register('o-app2-sun', '13811110001', {}, 'u-sun')
    const card = await callAs('o-app2-sun', { action: 'card' }, 'u-sun')

    expect(first.data.isNew).toBe(true)
    expect(sameOnOtherApp.data).toMatchObject({ isNew: false })
    expect(sameOnOtherApp.data.card.memberId).toBe(first.data.card.memberId)
    expect(card.data.memberId).toBe(first.data.card.memberId)
    expect(await env.db.get('memberKeys', 'unionid:u-sun')).toMatchObject({
      memberId: first.data.card.memberId,
    })
  })

  it('keeps two members without unionid as two members', async () => {
    const one = await register('o-no-union-1', '13811110002')
    const two = await register('o-no-union-2', '13811110003')

    expect(one.data.card.memberId).not.toBe(two.data.card.memberId)
    expect(await env.db.find('memberKeys', { _id: { $in: ['unionid:', 'unionid:null'] } })).toEqual(
      [],
    )
  })

  it('refuses a second phone for a WeChat user already a member by unionid', async () => {
    await register('o-app1-qian', '13811110004', {}, 'u-qian')
    const before = env.snapshot()
    const other = await register('o-app2-qian', '13811110005', {}, 'u-qian')

    expect(other.error.code).toBe('ALREADY_REGISTERED')
    expect(env.snapshot()).toBe(before)
  })
})

describe('rebinding the phone to another WeChat account', () => {
  it('moves the member to the new account once the old account confirms, audited', async () => {
    const old = await register('o-old-zhou', '13822220001', { name: '周一' })
    const memberId = old.data.card.memberId
    const refused = await register('o-new-zhou', '138 2222 0001')
    expect(refused.error.code).toBe('PHONE_IN_USE')

    const requested = await callAs('o-new-zhou', {
      action: 'requestRebind',
      phoneCode: await phoneCode('13822220001'),
    })
    expect(requested.data.maskedPhone).toBe('138****0001')
    const pending = await callAs('o-old-zhou', { action: 'pendingRebinds' })
    expect(pending.data.requests.map((request: any) => request.ticket)).toEqual([
      requested.data.ticket,
    ])

    const confirmed = await callAs('o-old-zhou', {
      action: 'confirmRebind',
      ticket: requested.data.ticket,
    })
    expect(confirmed.data).toEqual({ memberId, via: 'old-account' })
    const newCard = (await callAs('o-new-zhou', { action: 'card' })).data
    expect(newCard.memberId).toBe(memberId)
    expect(newCard.codeSecret).not.toBe(old.data.card.codeSecret)
    expect((await callAs('o-old-zhou', { action: 'card' })).error.code).toBe('NOT_REGISTERED')
    const audit = await env.db.find('auditLog', { memberId, action: 'member.rebind' })
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit)).not.toMatch(/o-old-zhou|o-new-zhou|13822220001/)
  })

  it('refuses to reuse a ticket once the rebind is done', async () => {
    await register('o-old-wu', '13822220002')
    const ticket = (
      await callAs('o-new-wu', {
        action: 'requestRebind',
        phoneCode: await phoneCode('13822220002'),
      })
    ).data.ticket
    await callAs('o-old-wu', { action: 'confirmRebind', ticket })
    const again = await callAs('o-new-wu', { action: 'confirmRebind', ticket })

    expect(again.error.code).toBe('REBIND_TICKET_INVALID')
  })

  it('lets the new account finish alone only after a cooling-off day, with a second phone proof', async () => {
    const old = await register('o-lost-zheng', '13822220003')
    const ticket = (
      await callAs('o-new-zheng', {
        action: 'requestRebind',
        phoneCode: await phoneCode('13822220003'),
      })
    ).data.ticket
    const confirm = async () =>
      callAs('o-new-zheng', {
        action: 'confirmRebind',
        ticket,
        phoneCode: await phoneCode('13822220003'),
      })

    const before = env.snapshot()
    expect((await confirm()).error.code).toBe('REBIND_TOO_EARLY')
    expect(env.snapshot()).toBe(before)

    await advanceClock(25 * 60 * 60 * 1000)
    const done = await confirm()
    expect(done.data).toEqual({ memberId: old.data.card.memberId, via: 'phone-proof' })
  })

  it('refuses a phone proof of another number and a ticket confirmed by a stranger', async () => {
    await register('o-old-feng', '13822220004')
    const ticket = (
      await callAs('o-new-feng', {
        action: 'requestRebind',
        phoneCode: await phoneCode('13822220004'),
      })
    ).data.ticket
    await advanceClock(25 * 60 * 60 * 1000)
    const before = env.snapshot()

    const otherPhone = await callAs('o-new-feng', {
      action: 'confirmRebind',
      ticket,
      phoneCode: await phoneCode('13822229999'),
    })
    const stranger = await callAs('o-stranger-feng', { action: 'confirmRebind', ticket })

    expect(otherPhone.error.code).toBe('NOT_ALLOWED')
    expect(stranger.error.code).toBe('NOT_ALLOWED')
    expect(env.snapshot()).toBe(before)
  })

  it('lets the old account cancel a request it did not make', async () => {
    await register('o-old-chu', '13822220005')
    const ticket = (
      await callAs('o-thief-chu', {
        action: 'requestRebind',
        phoneCode: await phoneCode('13822220005'),
      })
    ).data.ticket

    expect((await callAs('o-old-chu', { action: 'cancelRebind', ticket })).ok).toBe(true)
    const memberId = (await callAs('o-old-chu', { action: 'card' })).data.memberId
    const trail = await env.db.find<any>('auditLog', { memberId, action: /Rebind$/ })
    expect(trail.map((entry) => entry.action).sort()).toEqual([
      'member.cancelRebind',
      'member.requestRebind',
    ])
    expect(JSON.stringify(trail)).not.toMatch(/o-old-chu|o-thief-chu|13822220005/)
    await advanceClock(25 * 60 * 60 * 1000)
    const late = await callAs('o-thief-chu', {
      action: 'confirmRebind',
      ticket,
      phoneCode: await phoneCode('13822220005'),
    })
    expect(late.error.code).toBe('REBIND_TICKET_INVALID')
  })

  it('leaves the phone codes usable after a request or a confirmation it refused', async () => {
    const old = await register('o-old-yang', '13822220008')
    const requestCode = await phoneCode('13822220008')
    await register('o-member-yang', '13822220009')

    const byMember = await callAs('o-member-yang', {
      action: 'requestRebind',
      phoneCode: requestCode,
    })
    expect(byMember.error.code).toBe('ALREADY_REGISTERED')
    const requested = await callAs('o-new-yang', {
      action: 'requestRebind',
      phoneCode: requestCode,
    })
    expect(requested.ok).toBe(true)

    const confirmCode = await phoneCode('13822220008')
    const tooEarly = await callAs('o-new-yang', {
      action: 'confirmRebind',
      ticket: requested.data.ticket,
      phoneCode: confirmCode,
    })
    expect(tooEarly.error.code).toBe('REBIND_TOO_EARLY')
    const onAnotherTicket = await callAs('o-new-yang', {
      action: 'requestRebind',
      phoneCode: confirmCode,
    })
    expect(onAnotherTicket.ok).toBe(true)

    await advanceClock(25 * 60 * 60 * 1000)
    const lateCode = await phoneCode('13822220008')
    const unknownTicket = await callAs('o-new-yang', {
      action: 'confirmRebind',
      ticket: 'f'.repeat(32),
      phoneCode: lateCode,
    })
    expect(unknownTicket.error.code).toBe('REBIND_TICKET_INVALID')
    const done = await callAs('o-new-yang', {
      action: 'confirmRebind',
      ticket: requested.data.ticket,
      phoneCode: lateCode,
    })
    expect(done.data).toEqual({ memberId: old.data.card.memberId, via: 'phone-proof' })
  })

  it('refuses a rebind request from an account that is already a member', async () => {
    await register('o-old-wei', '13822220006')
    await register('o-member-wei', '13822220007')
    const asked = await callAs('o-member-wei', {
      action: 'requestRebind',
      phoneCode: await phoneCode('13822220006'),
    })

    expect(asked.error.code).toBe('ALREADY_REGISTERED')
  })
})

describe('home store', () => {
  it('stays the first store whatever QR or purchase comes later', async () => {
    const first = await register('o-jiang', '13833330001', { storeId: 'sA' })
    const memberId = first.data.card.memberId
    const viaOtherQr = await register('o-jiang', '13833330001', { storeId: 'sB' })
    await scanAndBuy(memberId, 'o-clerk-sB', 'HOME-1')

    expect(viaOtherQr.data.card.homeStore.storeId).toBe('sA')
    expect((await callAs('o-jiang', { action: 'card' })).data.homeStore.storeId).toBe('sA')
  })

  it('makes the first purchase store home for a member without QR, and keeps it', async () => {
    const first = await register('o-shen', '13833330002')
    const memberId = first.data.card.memberId
    await scanAndBuy(memberId, 'o-clerk-sB', 'HOME-2')
    await scanAndBuy(memberId, 'o-clerk-sA', 'HOME-3')

    expect(first.data.card.homeStore).toBeNull()
    expect((await callAs('o-shen', { action: 'card' })).data.homeStore.storeId).toBe('sB')
  })
})

describe('profile', () => {
  it('edits name, birthday, gender and preferred store, audited without the values', async () => {
    const registered = await register('o-han', '13844440001', { storeId: 'sA' })
    const memberId = registered.data.card.memberId
    const updated = await callAs('o-han', {
      action: 'updateProfile',
      name: '韩梅梅',
      birthday: '02-29',
      gender: 'female',
      preferredStoreId: 'sB',
    })
    const read = await callAs('o-han', { action: 'profile' })

    expect(updated.ok).toBe(true)
    expect(read.data).toMatchObject({
      name: '韩梅梅',
      birthday: '02-29',
      gender: 'female',
      preferredStore: { storeId: 'sB' },
      homeStore: { storeId: 'sA' },
    })
    const audit = await env.db.find('auditLog', { memberId, action: 'member.updateProfile' })
    expect(audit[0]).toMatchObject({
      fields: ['name', 'birthday', 'gender', 'preferredStoreId'],
      actor: { role: 'member' },
    })
    expect(JSON.stringify(audit)).not.toContain('韩梅梅')
  })

  it('clears a field set to null and keeps the ones not named', async () => {
    await register('o-yang', '13844440002', { name: '杨', birthday: '1990-05-20' })
    await callAs('o-yang', { action: 'updateProfile', name: null })
    const read = await callAs('o-yang', { action: 'profile' })

    expect(read.data).toMatchObject({ name: null, birthday: '1990-05-20' })
  })

  it('refuses a preferred store that does not exist, writing nothing', async () => {
    await register('o-zhu', '13844440003')
    const before = env.snapshot()
    const answer = await callAs('o-zhu', { action: 'updateProfile', preferredStoreId: 'nowhere' })

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })
})

describe('consent to new privacy terms', () => {
  it('asks again when HQ publishes a version, until the member accepts it', async () => {
    await register('o-qin', '13855550001')
    const oldVersion = await currentTermsVersion()
    await publishTerms('2027-01')

    try {
      expect((await callAs('o-qin', { action: 'card' })).error.code).toBe('CONSENT_OUTDATED')
      expect((await callAs('o-qin', { action: 'code' })).error.code).toBe('CONSENT_OUTDATED')
      expect((await callAs('o-qin', { action: 'profile' })).error.code).toBe('CONSENT_OUTDATED')
      expect((await callAs('o-qin', { action: 'terms' })).data.version).toBe('2027-01')

      const stale = await callAs('o-qin', { action: 'acceptTerms', version: oldVersion })
      expect(stale.error.code).toBe('CONSENT_OUTDATED')
      const accepted = await callAs('o-qin', { action: 'acceptTerms', version: '2027-01' })
      expect(accepted.ok).toBe(true)

      const profile = await callAs('o-qin', { action: 'profile' })
      expect(profile.data.consent).toEqual({
        version: '2027-01',
        acceptedAt: expect.stringMatching(/\+08:00$/),
      })
      // The local clock keeps running from where it was set.
      expect(Date.parse(profile.data.consent.acceptedAt) - clock.getTime()).toBeLessThan(60_000)
      expect((await callAs('o-qin', { action: 'card' })).ok).toBe(true)
    } finally {
      await publishTerms(oldVersion)
      await callAs('o-qin', { action: 'acceptTerms', version: oldVersion })
    }
  })
})

describe('deleting the account', () => {
  it('leaves nothing personal anywhere, keeps the ledger, and lets the phone register anew', async () => {
    const registered = await register(
      'o-delete-me',
      '13966660001',
      { name: '删除测试', birthday: '1988-07-14', storeId: 'sA' },
      'u-delete-me',
    )
    const memberId = registered.data.card.memberId
    const secret = registered.data.card.codeSecret
    await scanAndBuy(memberId, 'o-clerk-sB', 'DEL-1')
    await callAs('o-delete-me', { action: 'updateProfile', gender: 'male' }, 'u-delete-me')
    await callAs('o-rebinder', {
      action: 'requestRebind',
      phoneCode: await phoneCode('13966660001'),
    })
    const visitsBefore = await env.db.find('visits', { memberId })

    const deleted = await callAs('o-delete-me', { action: 'deleteAccount' }, 'u-delete-me')

    expect(deleted).toEqual({ ok: true, data: { isDeleted: true } })
    const stored = everythingStored()
    for (const personal of [
      '13966660001',
      '+8613966660001',
      '139 6666 0001',
      '139-6666-0001',
      '139****0001',
      '删除测试',
      '1988-07-14',
      'o-delete-me',
      'u-delete-me',
      secret,
    ]) {
      expect(stored).not.toContain(personal)
    }
    expect(await env.db.find('visits', { memberId })).toEqual(visitsBefore)
    expect(
      await env.db.find('auditLog', { memberId, action: 'member.deleteAccount' }),
    ).toHaveLength(1)
    expect((await callAs('o-delete-me', { action: 'card' })).error.code).toBe('NOT_REGISTERED')

    const again = await register('o-delete-me', '13966660001')
    expect(again.data.isNew).toBe(true)
    expect(again.data.card.memberId).not.toBe(memberId)
    expect(again.data.card.points).toBe(0)
  })

  it('refuses the deleted member’s card code at the counter', async () => {
    const registered = await register('o-gone', '13966660002')
    const memberId = registered.data.card.memberId
    const { code } = await env.dev<{ code: string }>('member-code', { memberId })
    await callAs('o-gone', { action: 'deleteAccount' })
    const scan = await env.call('staff', { action: 'scan', code }, 'o-clerk-sA')

    expect(scan.error.code).toBe('CODE_INVALID')
  })
})

describe('card code secrets', () => {
  it('never reach staff: not in the scan summary nor the purchase answer', async () => {
    const registered = await register('o-secret', '13977770001')
    const { codeSecret, memberId } = registered.data.card
    const { code } = await env.dev<{ code: string }>('member-code', { memberId })
    const scan = await env.call('staff', { action: 'scan', code }, 'o-clerk-sA')
    const purchase = await env.call(
      'staff',
      {
        action: 'recordPurchase',
        visitToken: scan.data.visitToken,
        orderNo: 'SEC-1',
        amountFen: 100,
      },
      'o-clerk-sA',
    )

    expect(scan.ok && purchase.ok).toBe(true)
    expect(JSON.stringify([scan, purchase])).not.toContain(codeSecret)
    expect(JSON.stringify(await env.db.find('auditLog', {}))).not.toContain(codeSecret)
  })
})

describe('bad input to the identity actions', () => {
  it.each([
    ['a rebind without a phone code', { action: 'requestRebind' }],
    ['a ticket that is not hex', { action: 'confirmRebind', ticket: 'x'.repeat(32) }],
    ['a ticket that is an object', { action: 'cancelRebind', ticket: { $ne: '' } }],
    ['a birthday that is no date', { action: 'updateProfile', birthday: '2001-02-29' }],
    ['a birthday as a timestamp', { action: 'updateProfile', birthday: '1990-05-20T00:00:00Z' }],
    ['an unknown gender', { action: 'updateProfile', gender: 'x' }],
    ['a name of spaces', { action: 'updateProfile', name: '   ' }],
    ['a name too long', { action: 'updateProfile', name: '长'.repeat(33) }],
    ['a store id with a query', { action: 'updateProfile', preferredStoreId: { $gt: '' } }],
    ['a phone on the profile', { action: 'updateProfile', phone: '13900000000' }],
    ['terms without a version', { action: 'acceptTerms' }],
    ['a deletion with extra fields', { action: 'deleteAccount', memberId: 'M1' }],
  ])('refuses %s as INVALID_INPUT and writes nothing', async (_case, event) => {
    await register('o-bad-input', '13988880001')
    const before = env.snapshot()
    const answer = await callAs('o-bad-input', event)

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })
})
