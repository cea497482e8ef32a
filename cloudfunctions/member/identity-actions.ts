import type { MemberEvent } from '../../typings/member'
import type { IdentityAction, IdentityEvent } from '../../typings/member-identity'
import { deleteAccount } from '../domain/account-deletion'
import {
  acceptTerms,
  hasCurrentConsent,
  loadProfile,
  updateProfile,
} from '../domain/member-profile'
import { findMemberByCaller } from '../domain/members'
import { normalizeMobile } from '../domain/phone'
import {
  cancelRebind,
  confirmRebind,
  listPendingRebinds,
  refuseRebindByPhoneProof,
  refuseRebindRequest,
  requestRebind,
} from '../domain/rebind'
import { refuse, succeed, type Result } from '../domain/result'
import { loadSettings } from '../domain/settings'
import type { Services } from '../platform/define-function'
import type { Invocation } from '../platform/invocation'
import { exchangePhoneCode } from '../platform/wechat'

/** The member's identity actions: rebind, profile, consent, deletion. */

const identityActions: ReadonlySet<string> = new Set<IdentityAction>([
  'requestRebind',
  'pendingRebinds',
  'confirmRebind',
  'cancelRebind',
  'profile',
  'updateProfile',
  'acceptTerms',
  'deleteAccount',
])

/** What a member whose consent is outdated may still do: accept, or leave. */
const actionsWithoutConsent: ReadonlySet<IdentityAction> = new Set(['acceptTerms', 'deleteAccount'])

export function isIdentityEvent(event: MemberEvent): event is IdentityEvent {
  return identityActions.has(event.action)
}

export async function handleIdentityEvent(
  event: IdentityEvent,
  { openid, unionid, now, requestId }: Invocation & { openid: string },
  { db, app, log, randomBytes }: Services,
): Promise<Result<unknown>> {
  const context = { now, randomBytes, requestId }
  const caller = { openid, unionid }

  const provePhone = async (phoneCode: string): Promise<Result<string>> => {
    const exchanged = await exchangePhoneCode(app, phoneCode, log)
    if (!exchanged.ok) return exchanged

    const phone = normalizeMobile(exchanged.data)

    return phone ? succeed(phone) : refuse('PHONE_INVALID')
  }

  if (event.action === 'requestRebind') {
    const refusal = await refuseRebindRequest(db, caller)
    if (refusal) return refusal

    const proved = await provePhone(event.phoneCode)

    return proved.ok ? requestRebind(db, caller, proved.data, context) : proved
  }

  const member = await findMemberByCaller(db, openid, unionid)

  if (event.action === 'confirmRebind' && !member) {
    if (!event.phoneCode) return refuse('NOT_ALLOWED', '请在原微信确认，或再次验证手机号')

    const refusal = await refuseRebindByPhoneProof(db, caller, event.ticket, now)
    if (refusal) return refusal

    const proved = await provePhone(event.phoneCode)

    return proved.ok ? confirmRebind(db, caller, event.ticket, proved.data, context) : proved
  }

  if (!member) return refuse('NOT_REGISTERED')
  const isConsentCurrent = hasCurrentConsent(member, await loadSettings(db))
  if (!isConsentCurrent && !actionsWithoutConsent.has(event.action)) {
    return refuse('CONSENT_OUTDATED')
  }

  switch (event.action) {
    case 'pendingRebinds':
      return succeed(await listPendingRebinds(db, member, now))
    case 'confirmRebind':
      return confirmRebind(db, caller, event.ticket, null, context)
    case 'cancelRebind':
      return cancelRebind(db, member, event.ticket, context)
    case 'profile':
      return succeed(await loadProfile(db, member))
    case 'updateProfile': {
      const { action: _action, ...changes } = event

      return updateProfile(db, member._id, changes, context)
    }
    case 'acceptTerms':
      return acceptTerms(db, member._id, event.version, context)
    case 'deleteAccount':
      return deleteAccount(db, member._id, context)
  }
}
