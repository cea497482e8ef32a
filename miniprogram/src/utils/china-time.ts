const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

function pad(value: number, length = 2) {
  return String(value).padStart(length, '0')
}

/** Asia/Shanghai wall-clock parts, whatever the device's own time zone (China has no DST). */
function shanghaiParts(epochMs: number) {
  const shifted = new Date(epochMs + SHANGHAI_OFFSET_MS)

  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  }
}

/** `2025-03-01 14:05` in Shanghai time. */
export function formatShanghaiMinute(iso: string): string {
  const { year, month, day, hour, minute } = shanghaiParts(Date.parse(iso))

  return `${year}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}`
}

/** The Shanghai business day of an instant, `2025-03-01`. */
export function formatShanghaiDate(epochMs: number): string {
  const { year, month, day } = shanghaiParts(epochMs)

  return `${year}-${pad(month)}-${pad(day)}`
}

/** A fresh order number: `yyyyMMddHHmmss` in Shanghai time and three random digits. */
export function makeOrderNo(epochMs: number, random: () => number = Math.random): string {
  const parts = shanghaiParts(epochMs)
  const stamp = [parts.month, parts.day, parts.hour, parts.minute, parts.second].map((v) => pad(v))
  const suffix = pad(Math.floor(random() * 1000), 3)

  return `${parts.year}${stamp.join('')}${suffix}`
}

/**
 * The last Shanghai day before an end instant, as people say when a thing lapses: points that end
 * at 2028-01-01 00:00 are good through 2027-12-31, and "2028-01-01 过期" reads a day too long.
 */
export function formatShanghaiLastDay(endIso: string): string {
  return formatShanghaiDate(Date.parse(endIso) - 1)
}
