/** A UTF-8 TextEncoder for runtimes without one (see the webpack ProvidePlugin in config/). */
export class Utf8TextEncoder {
  readonly encoding = 'utf-8'

  encode(input = ''): Uint8Array {
    const bytes: number[] = []

    for (const char of input) {
      const codePoint = char.codePointAt(0) ?? 0
      if (codePoint < 0x80) {
        bytes.push(codePoint)
      } else if (codePoint < 0x800) {
        bytes.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f))
      } else if (codePoint < 0x10000) {
        bytes.push(
          0xe0 | (codePoint >> 12),
          0x80 | ((codePoint >> 6) & 0x3f),
          0x80 | (codePoint & 0x3f),
        )
      } else {
        bytes.push(
          0xf0 | (codePoint >> 18),
          0x80 | ((codePoint >> 12) & 0x3f),
          0x80 | ((codePoint >> 6) & 0x3f),
          0x80 | (codePoint & 0x3f),
        )
      }
    }

    return new Uint8Array(bytes)
  }
}
