import { hmac } from '@noble/hashes/hmac'
import { sha256 } from '@noble/hashes/sha256'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils'

/**
 * The card code a member shows at the counter: 20 digits, so that a barcode gun reads it as
 * Code 128 (set C) and a QR code carries the same text.
 *
 *   88 | member number (9) | step digit (1) | variant (1) | signature (7)
 *
 * The phone derives it offline from the member's secret; the server recomputes the signature
 * for the steps around its own clock.
 */
export const CARD_CODE_LENGTH = 20
export const CARD_CODE_PREFIX = '88'
export const CARD_CODE_STEP_SECONDS = 30

const SIGNATURE_DIGITS = 7

export interface CardCodeParts {
  memberNo: string
  stepDigit: number
  variant: number
  signature: string
}

export function codeStepAt(epochMs: number): number {
  return Math.floor(epochMs / 1000 / CARD_CODE_STEP_SECONDS)
}

export function signCardCode(secretHex: string, memberNo: string, step: number, variant: number) {
  const mac = hmac(sha256, hexToBytes(secretHex), utf8ToBytes(`${memberNo}.${step}.${variant}`))
  const offset = mac[mac.length - 1] & 0x0f
  const truncated =
    ((mac[offset] & 0x7f) << 24) |
    (mac[offset + 1] << 16) |
    (mac[offset + 2] << 8) |
    mac[offset + 3]

  return String(truncated % 10 ** SIGNATURE_DIGITS).padStart(SIGNATURE_DIGITS, '0')
}

export function makeCardCode(secretHex: string, memberNo: string, epochMs: number, variant = 0) {
  const step = codeStepAt(epochMs)
  const signature = signCardCode(secretHex, memberNo, step, variant)

  return `${CARD_CODE_PREFIX}${memberNo}${step % 10}${variant}${signature}`
}

/** When the code shown at `epochMs` stops being the current one. */
export function cardCodeExpiresAt(epochMs: number): number {
  return (codeStepAt(epochMs) + 1) * CARD_CODE_STEP_SECONDS * 1000
}

export function parseCardCode(code: string): CardCodeParts | null {
  const digits = code.trim()
  const isWellFormed = /^\d+$/.test(digits) && digits.length === CARD_CODE_LENGTH
  if (!isWellFormed || !digits.startsWith(CARD_CODE_PREFIX)) return null

  return {
    memberNo: digits.slice(2, 11),
    stepDigit: Number(digits[11]),
    variant: Number(digits[12]),
    signature: digits.slice(13),
  }
}

export function randomSecretHex(randomBytes: (length: number) => Uint8Array): string {
  return bytesToHex(randomBytes(32))
}
