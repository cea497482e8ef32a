import dayjs from 'dayjs'
import timezone from 'dayjs/plugin/timezone'
import utc from 'dayjs/plugin/utc'

dayjs.extend(utc)
dayjs.extend(timezone)

/** Business days, birthdays and report periods are Asia/Shanghai, whatever the runtime's zone. */
export const BUSINESS_TIME_ZONE = 'Asia/Shanghai'

/** How a time reaches a client: ISO-8601 with the +08:00 offset. */
export function formatBusinessTime(instant: Date | string): string {
  return dayjs(instant).tz(BUSINESS_TIME_ZONE).format('YYYY-MM-DDTHH:mm:ss.SSSZ')
}

/** How a time is stored: UTC ISO-8601, so that stored strings sort as instants. */
export function toStoredTime(instant: Date | string): string {
  return new Date(instant).toISOString()
}

export function businessDate(instant: Date | string): string {
  return dayjs(instant).tz(BUSINESS_TIME_ZONE).format('YYYY-MM-DD')
}
