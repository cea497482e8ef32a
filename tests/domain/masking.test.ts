import { maskBirthday, maskName, visibilityFor } from '../../cloudfunctions/domain/masking'
import { maskMobile } from '../../cloudfunctions/domain/phone'

describe('masking', () => {
  it('shows staff a phone as 138****8000, a name as a surname and a birthday without year', () => {
    expect(maskMobile('+8613800138000')).toBe('138****8000')
    expect(maskName('欧阳小明')).toBe('欧***')
    expect(maskName('王')).toBe('王*')
    expect(maskBirthday('1990-05-17')).toBe('05-17')
    expect(maskBirthday(null)).toBeNull()
  })

  it('reveals only to a role the table lets reveal, and only when asked', () => {
    expect(visibilityFor('hq_admin', true)).toBe('revealed')
    expect(visibilityFor('region_manager', true)).toBe('revealed')
    expect(visibilityFor('hq_admin', false)).toBe('masked')
    expect(visibilityFor('hq_analyst', true)).toBe('masked')
    expect(visibilityFor('store_manager', true)).toBe('masked')
    expect(visibilityFor('clerk', true)).toBe('masked')
  })
})
