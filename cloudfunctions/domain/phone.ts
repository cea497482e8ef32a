import { parsePhoneNumberFromString } from 'libphonenumber-js/max'

/**
 * One written form for every phone number, whatever an export or a person typed: E.164 of a
 * mainland mobile (+8613800138000). Anything else is not a member's phone.
 */
export function normalizeMobile(raw: string): string | null {
  const halfWidth = raw.normalize('NFKC').replace(/[\s\-().]/g, '')
  const withCountry = /^86\d{11}$/.test(halfWidth) ? `+${halfWidth}` : halfWidth
  const parsed = parsePhoneNumberFromString(withCountry, 'CN')
  const isMobile = parsed?.country === 'CN' && parsed.isValid() && parsed.getType() === 'MOBILE'

  return isMobile ? parsed.number : null
}

/** 138****8000: what staff and receipts see. */
export function maskMobile(e164: string): string {
  const national = e164.replace(/^\+86/, '')

  return `${national.slice(0, 3)}****${national.slice(-4)}`
}
