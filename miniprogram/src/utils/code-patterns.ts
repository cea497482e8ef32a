import CODE128C from 'jsbarcode/bin/barcodes/CODE128/CODE128C'
import { create } from 'qrcode/lib/core/qrcode'

/** A stretch of equal modules: rendered as one box instead of one box per module. */
export interface ModuleRun {
  isDark: boolean
  length: number
}

function toRuns(modules: boolean[]): ModuleRun[] {
  const runs: ModuleRun[] = []

  for (const isDark of modules) {
    const last = runs[runs.length - 1]
    if (last && last.isDark === isDark) last.length += 1
    else runs.push({ isDark, length: 1 })
  }

  return runs
}

/** The QR code of `text` as rows of runs, quiet zone included. */
export function makeQrRows(text: string, quietZone: number): ModuleRun[][] {
  const matrix = create(text, { errorCorrectionLevel: 'M' }).modules
  const width = matrix.size + quietZone * 2
  const blankRow = [{ isDark: false, length: width }]
  const rows: ModuleRun[][] = []

  for (let i = 0; i < quietZone; i++) rows.push(blankRow)
  for (let row = 0; row < matrix.size; row++) {
    const modules = Array.from({ length: width }, (_, index) => {
      const column = index - quietZone
      return column >= 0 && column < matrix.size && Boolean(matrix.get(row, column))
    })
    rows.push(toRuns(modules))
  }
  for (let i = 0; i < quietZone; i++) rows.push(blankRow)

  return rows
}

/** The Code 128 (set C, for an even count of digits) bars of `digits`, quiet zones included. */
export function makeCode128Runs(digits: string, quietZone: number): ModuleRun[] {
  const bits = new CODE128C(digits, { ean128: false }).encode().data
  const modules = [
    ...Array<boolean>(quietZone).fill(false),
    ...Array.from(bits, (bit) => bit === '1'),
    ...Array<boolean>(quietZone).fill(false),
  ]

  return toRuns(modules)
}
