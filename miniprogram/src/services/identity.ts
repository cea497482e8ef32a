import { z } from 'zod'
import { roleSchema, type Role } from '../../../typings'
import { appConfig, isH5 } from '../config'

/** Who the local cloud should take the caller to be; WeChat names the caller in production. */
export const localIdentitySchema = z.object({
  openid: z.string().min(1),
  role: roleSchema,
  name: z.string(),
  storeId: z.string().nullish(),
  regionId: z.string().nullish(),
  /** Names for the picker to show and search; the functions never read them. */
  storeName: z.string().nullish(),
  city: z.string().nullish(),
  regionName: z.string().nullish(),
  maskedPhone: z.string().nullish(),
})

export type LocalIdentity = z.infer<typeof localIdentitySchema>

export function readLocalIdentity(): LocalIdentity | null {
  if (!isH5) return null

  const stored = window.localStorage.getItem(appConfig.identityStorageKey)
  if (!stored) return null

  try {
    const parsed = localIdentitySchema.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

export function saveLocalIdentity(identity: LocalIdentity) {
  window.localStorage.setItem(appConfig.identityStorageKey, JSON.stringify(identity))
}

export function makeNewMemberIdentity(): LocalIdentity {
  const random = Math.random().toString(36).slice(2, 10).padEnd(8, '0')

  return { openid: `o-local-${random}`, role: 'member', name: '新会员' }
}

export function isStaffRole(role: Role) {
  return role !== 'member'
}
