import {
  CARD_CODE_LENGTH,
  CARD_CODE_STEP_SECONDS,
  cardCodeExpiresAt,
  makeCardCode,
  parseCardCode,
} from '../../typings/card-code'

const secret = 'ab'.repeat(32)
const at = Date.parse('2026-12-03T10:00:05Z')

describe('card codes', () => {
  it('are twenty digits starting with 88 and carry the member number', () => {
    const code = makeCardCode(secret, '123456789', at)

    expect(code).toMatch(/^88\d{18}$/)
    expect(code).toHaveLength(CARD_CODE_LENGTH)
    expect(parseCardCode(code)?.memberNo).toBe('123456789')
  })

  it('stay the same within a step and change with the next step', () => {
    const first = makeCardCode(secret, '123456789', at)
    const sameStep = makeCardCode(secret, '123456789', at + 1000)
    const nextStep = makeCardCode(secret, '123456789', at + CARD_CODE_STEP_SECONDS * 1000)

    expect(sameStep).toBe(first)
    expect(nextStep).not.toBe(first)
  })

  it('differ by variant, so that a refresh on demand shows a new code', () => {
    expect(makeCardCode(secret, '123456789', at, 1)).not.toBe(
      makeCardCode(secret, '123456789', at, 2),
    )
  })

  it('differ between members with different secrets', () => {
    expect(makeCardCode(secret, '123456789', at)).not.toBe(
      makeCardCode('cd'.repeat(32), '123456789', at),
    )
  })

  it('expire at the end of their step', () => {
    const expiresAt = cardCodeExpiresAt(at)

    expect(expiresAt).toBeGreaterThan(at)
    expect(expiresAt - at).toBeLessThanOrEqual(CARD_CODE_STEP_SECONDS * 1000)
  })

  it.each(['', '88123', 'x'.repeat(20), '77123456789012345678'])('does not parse %p', (code) => {
    expect(parseCardCode(code)).toBeNull()
  })
})
