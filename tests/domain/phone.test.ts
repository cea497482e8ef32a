import { maskMobile, normalizeMobile } from '../../cloudfunctions/domain/phone'

describe('normalizeMobile', () => {
  it.each([
    '+86 138-0013-8000',
    '8613800138000',
    '+8613800138000',
    '13800138000',
    '138 0013 8000',
    '１３８００１３８０００',
    '  138\t0013 8000 ',
    '(+86) 138 0013 8000',
  ])('reads %p as the same member phone', (written) => {
    expect(normalizeMobile(written)).toBe('+8613800138000')
  })

  it.each(['12345678901', '1380013800', '010-62345678', '+1 415 555 0100', '', 'abc'])(
    'refuses %p, which is not a mainland mobile',
    (written) => {
      expect(normalizeMobile(written)).toBeNull()
    },
  )

  it.each(['19912345678', '16612345678', '14712345678', '17312345678', '19212345678'])(
    'accepts the newer prefix of %p',
    (written) => {
      expect(normalizeMobile(written)).toBe(`+86${written}`)
    },
  )
})

describe('maskMobile', () => {
  it('keeps the first three and the last four digits', () => {
    expect(maskMobile('+8613800138000')).toBe('138****8000')
  })
})
