import { birthdaySchema } from '../../typings/member'

describe('birthdays', () => {
  it.each(['1990-05-20', '05-20', '02-29', '2000-02-29'])('accepts the calendar date %p', (day) => {
    expect(birthdaySchema.safeParse(day).success).toBe(true)
  })

  it.each(['1990-13-01', '1990-02-30', '2001-02-29', '13-01', '1850-01-01', '1990/05/20'])(
    'refuses %p, which is no birthday',
    (day) => {
      expect(birthdaySchema.safeParse(day).success).toBe(false)
    },
  )
})
