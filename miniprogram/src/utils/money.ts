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

export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const absolute = Math.abs(fen)

  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`
}
