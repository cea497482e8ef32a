import { z } from 'zod'

/**
 * A calendar date, `YYYY-MM-DD` or `MM-DD` when the member keeps the year to themselves. Never a
 * time: a birthday must not move a day with anyone's time zone. 02-29 is a real birthday.
 */
export const birthdaySchema = z
  .string()
  .regex(/^(\d{4}-)?\d{2}-\d{2}$/)
  .refine(isCalendarDate, '不是有效的日期')

function isCalendarDate(written: string): boolean {
  const [year, month, day] = (written.length === 5 ? `2000-${written}` : written).split('-')
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))

  return (
    Number(year) >= 1900 &&
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  )
}
