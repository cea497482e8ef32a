import { fenSchema } from '../../../typings'

const YUAN_PATTERN = /^(\d{1,7})(?:\.(\d{1,2}))?$/

/** "12.34" → 1234, parsed as digits so that no float rounding can creep in; null if not money. */
export function parseYuanToFen(text: string): number | null {
  const match = YUAN_PATTERN.exec(text.trim())
  if (!match) return null

  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
  const checked = fenSchema.safeParse(fen)

  return checked.success ? checked.data : null
}

/** The largest amount one field takes, in yuan, as the contract's `fenSchema` allows. */
const MAX_YUAN = (fenSchema.maxValue ?? 0) / 100

/**
 * What is wrong with an amount typed in yuan, in words for the person at the counter, or null if
 * it is money: said precisely, since "at most two decimals" misleads about a number too large.
 */
export function describeYuanProblem(text: string, label = '金额'): string | null {
  const trimmed = text.trim()
  if (!trimmed) return `请输入${label}`
  if (/^-\d/.test(trimmed)) return `${label}须大于 0`
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return `${label}只能写数字，如 12.34`
  if (/\.\d{3,}$/.test(trimmed)) return `${label}最多两位小数`

  const fen = parseYuanToFen(trimmed)
  if (fen === null) return `${label}最多 ${MAX_YUAN} 元`
  if (fen === 0) return `${label}须大于 0`

  return null
}

export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const absolute = Math.abs(fen)

  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`
}
