/**
 * Hands a CSV the console received to the browser as a download. Only the h5 console can: the
 * mini program has no file the person could open, so it answers false and the page says where
 * to go instead.
 */
export function downloadCsv(file: { filename: string; csv: string }): boolean {
  if (process.env.TARO_ENV !== 'h5') return false

  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([file.csv], { type: 'text/csv;charset=utf-8' }))
  link.download = file.filename
  link.click()
  // Revoked once the browser has started the download, not before.
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000)

  return true
}
