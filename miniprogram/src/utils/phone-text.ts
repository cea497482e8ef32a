import { parsePhoneNumberFromString } from 'libphonenumber-js/min'

/**
 * A phone number as a person writes it: a Chinese mobile `139 1234 5678`, another country's with
 * its prefix. The stored E.164 form (`+8613912345678`) is for machines; a masked number, which
 * does not parse, is shown as it came.
 */
export function formatPhoneForPeople(phone: string): string {
  const parsed = parsePhoneNumberFromString(phone)
  if (!parsed?.isValid()) return phone

  return parsed.country === 'CN' ? parsed.formatNational() : parsed.formatInternational()
}
