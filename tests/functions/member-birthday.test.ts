import { startTestCloud, type TestCloud } from '../support/test-cloud'

/** 00:30 on 3 December in Shanghai, still 2 December in UTC. */
const SHANGHAI_JUST_AFTER_MIDNIGHT = '2026-12-02T16:30:00.000Z'
let env: TestCloud

async function register(openid: string, phone: string, birthday: string) {
  const { code } = await env.dev<{ code: string }>('phone-code', { phone })
  const terms = await env.call('member', { action: 'terms' }, openid)
  const event = {
    action: 'register',
    phoneCode: code,
    consentVersion: terms.data.version,
    birthday,
  }

  return env.call('member', event, openid)
}

beforeAll(async () => {
  env = await startTestCloud()
  await env.dev('clock', { now: SHANGHAI_JUST_AFTER_MIDNIGHT, freeze: true })
})

afterAll(async () => {
  await env.close()
})

describe('a birthday that cannot be', () => {
  it.each([
    ['tomorrow in Shanghai', '2026-12-04'],
    ['years ahead', '2030-01-01'],
    ['before 1900', '1899-12-31'],
  ])('refuses registering with a birthday %s and writes nothing', async (_case, birthday) => {
    const before = env.snapshot()
    const answer = await register('o-future', '13855550001', birthday)

    expect(answer.error.code).toBe('INVALID_INPUT')
    expect(env.snapshot()).toBe(before)
  })

  it("registers a member born on Shanghai's today while UTC is still on yesterday", async () => {
    const answer = await register('o-today', '13855550002', '2026-12-03')
    const profile = await env.call('member', { action: 'profile' }, 'o-today')

    expect(answer.ok).toBe(true)
    expect(profile.data.birthday).toBe('2026-12-03')
  })

  it('refuses a profile change to a birthday after today and writes nothing', async () => {
    await register('o-profile', '13855550003', '1990-05-20')
    const before = env.snapshot()
    const answer = await env.call(
      'member',
      { action: 'updateProfile', name: '林', birthday: '2026-12-04' },
      'o-profile',
    )
    const profile = await env.call('member', { action: 'profile' }, 'o-profile')

    expect(answer.error).toEqual({ code: 'INVALID_INPUT', message: '生日不能晚于今天' })
    expect(env.snapshot()).toBe(before)
    expect(profile.data).toMatchObject({ name: null, birthday: '1990-05-20' })
  })

  it('keeps a birthday without a year valid, whatever month-day it names', async () => {
    const answer = await env.call(
      'member',
      { action: 'updateProfile', birthday: '12-31' },
      'o-profile',
    )

    expect(answer.ok).toBe(true)
    expect(answer.data.birthday).toBe('12-31')
  })
})
