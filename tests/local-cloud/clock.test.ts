import { createClock } from '../../local-cloud/clock'

describe('the local clock', () => {
  it('keeps flowing from the instant it was set to', () => {
    let realMs = Date.parse('2025-01-01T00:00:00Z')
    const clock = createClock(() => realMs)

    clock.set('2030-01-01T00:00:00Z')
    realMs += 1500

    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:01.500Z')
    expect(clock.isMoved()).toBe(true)
  })

  it('returns to the real clock on null', () => {
    const realMs = Date.parse('2025-01-01T00:00:00Z')
    const clock = createClock(() => realMs)

    clock.set('2030-01-01T00:00:00Z')
    clock.set(null)

    expect(clock.now().getTime()).toBe(realMs)
    expect(clock.isMoved()).toBe(false)
  })

  it('refuses a time it cannot read', () => {
    expect(() => createClock().set('tomorrow')).toThrow(RangeError)
  })
})

describe('a frozen local clock', () => {
  it('stays at the instant it was set to while real time goes on', () => {
    let realMs = Date.parse('2026-12-03T00:00:00Z')
    const clock = createClock(() => realMs)

    clock.set('2027-01-31T15:59:59.000Z', { isFrozen: true })
    realMs += 5_000

    expect(clock.now().toISOString()).toBe('2027-01-31T15:59:59.000Z')
    clock.set('2027-01-31T15:59:59.000Z')
    realMs += 5_000
    expect(clock.now().toISOString()).toBe('2027-01-31T16:00:04.000Z')
  })
})
