import { bytesToHex } from '@noble/hashes/utils'
import { randomSecretHex } from '../../typings/card-code'
import type { PendingRebinds, RebindRequest, RebindResult } from '../../typings/member-identity'
import { appendAudit, memberAuditActor } from './audit'
import { findMemberByCaller, memberKey, type RandomBytes } from './members'
import type { MemberDoc, MemberKeyDoc } from './models'
import type { Database, Doc, TransactionScope } from './ports'
import { refuse, succeed, type Refusal, type Result } from './result'
import { formatBusinessTime, toStoredTime } from './time'

/**
 * Moving a member to another WeChat account (a new phone, a new WeChat id). The new account
 * proves the phone with a fresh phone code and gets a ticket; then either
 *
 * - the old account, still signed in somewhere, confirms it (the safe, usual path), or
 * - when the old account is lost, the new account proves the phone a second time, but only after
 *   a cooling-off day. Phone numbers in China are recycled: a single proof would hand a former
 *   owner's points to whoever got the number next. The day gives the old account, while it still
 *   works, the time to see the request and cancel it.
 *
 * Either way the openid (and unionid) keys move and the change is audited in one transaction.
 */
export const REBIND_TICKETS = 'rebindTickets'

const TICKET_TTL_MS = 3 * 24 * 60 * 60 * 1000
const PHONE_PROOF_COOLING_OFF_MS = 24 * 60 * 60 * 1000

export interface RebindTicketDoc extends Doc {
  memberId: string
  newOpenid: string
  newUnionid: string | null
  requestedAt: string
  confirmableByPhoneFrom: string
  expiresAt: string
}

export interface Caller {
  openid: string
  unionid: string | null
}

interface Context {
  now: Date
  randomBytes: RandomBytes
  requestId: string
}

/**
 * What refuses a rebind request whatever phone it proves: asked before the phone code is
 * exchanged, since WeChat accepts a code once, and again by the request itself.
 */
export async function refuseRebindRequest(db: Database, caller: Caller): Promise<Refusal | null> {
  const member = await findMemberByCaller(db, caller.openid, caller.unionid)

  return member ? refuse('ALREADY_REGISTERED') : null
}

/** The new account asks to take over the member whose phone it just proved. */
export async function requestRebind(
  db: Database,
  caller: Caller,
  phone: string,
  context: Context,
): Promise<Result<RebindRequest>> {
  const refusal = await refuseRebindRequest(db, caller)
  if (refusal) return refusal

  const key = await db.get<MemberKeyDoc>('memberKeys', memberKey('phone', phone))
  const member = key ? await db.get<MemberDoc>('members', key.memberId) : null
  if (!member || member.deletedAt)
    return refuse('NOT_REGISTERED', '这个手机号还不是会员，请直接注册')

  const requestedAtMs = context.now.getTime()
  const ticket: RebindTicketDoc = {
    _id: bytesToHex(context.randomBytes(16)),
    memberId: member._id,
    newOpenid: caller.openid,
    newUnionid: caller.unionid,
    requestedAt: toStoredTime(context.now),
    confirmableByPhoneFrom: toStoredTime(new Date(requestedAtMs + PHONE_PROOF_COOLING_OFF_MS)),
    expiresAt: toStoredTime(new Date(requestedAtMs + TICKET_TTL_MS)),
  }
  // Audited with the ticket: a takeover attempt is what HQ looks for when a member complains.
  await db.transaction(async (tx) => {
    await tx.insert(REBIND_TICKETS, ticket)
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(member._id),
        action: 'member.requestRebind',
        memberId: member._id,
        fields: ['openid', 'unionid'],
        requestId: context.requestId,
        detail: { ticket: ticket._id, by: 'new-account' },
      },
      context.now,
      context.randomBytes,
    )
  })

  return succeed(toRequest(ticket, member))
}

/** The requests waiting for the old account, so that it can confirm or cancel them. */
export async function listPendingRebinds(
  db: Database,
  member: MemberDoc,
  now: Date,
): Promise<PendingRebinds> {
  const tickets = await db.find<RebindTicketDoc>(
    REBIND_TICKETS,
    { memberId: member._id, expiresAt: { $gt: toStoredTime(now) } },
    { orderBy: [['requestedAt', 'desc']], limit: 20 },
  )

  return {
    requests: tickets.map((ticket) => ({
      ...toRequest(ticket, member),
      requestedAt: formatBusinessTime(ticket.requestedAt),
    })),
  }
}

/**
 * Completes a rebind: by the old account, or by the new one with `phone` freshly proved (the
 * exchanged and normalized number of a second phone code) once the cooling-off day is over.
 */
export async function confirmRebind(
  db: Database,
  caller: Caller,
  ticketId: string,
  provedPhone: string | null,
  context: Context,
): Promise<Result<RebindResult>> {
  return db.transaction(async (tx) => {
    const checked = await checkConfirmation(tx, caller, ticketId, provedPhone !== null, context.now)
    if (!checked.ok) return checked

    const { ticket, member, isOldAccount, newOpenidKey, newUnionidKey } = checked.data
    if (!isOldAccount && provedPhone !== member.phone) {
      return refuse('NOT_ALLOWED', '验证的手机号与申请换绑的会员不一致')
    }

    const via = isOldAccount ? ('old-account' as const) : ('phone-proof' as const)
    await tx.remove('memberKeys', memberKey('openid', member.openid))
    if (member.unionid) await tx.remove('memberKeys', memberKey('unionid', member.unionid))
    await tx.insert('memberKeys', { _id: newOpenidKey, memberId: member._id })
    if (newUnionidKey) await tx.insert('memberKeys', { _id: newUnionidKey, memberId: member._id })
    // A new secret: the old phone may hold the card offline, and it may be the lost one.
    await tx.update('members', member._id, {
      set: {
        openid: ticket.newOpenid,
        unionid: ticket.newUnionid,
        codeSecret: randomSecretHex(context.randomBytes),
      },
    })
    await tx.remove(REBIND_TICKETS, ticket._id)
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(member._id),
        action: 'member.rebind',
        memberId: member._id,
        fields: ['openid', 'unionid'],
        requestId: context.requestId,
        detail: { via },
      },
      context.now,
      context.randomBytes,
    )

    return succeed({ memberId: member._id, via })
  })
}

/**
 * What refuses the new account's confirmation whatever phone it proves: asked before the second
 * phone code is exchanged, so that a confirmation a day too early leaves the code usable.
 */
export async function refuseRebindByPhoneProof(
  db: Database,
  caller: Caller,
  ticketId: string,
  now: Date,
): Promise<Refusal | null> {
  const checked = await checkConfirmation(db, caller, ticketId, true, now)

  return checked.ok ? null : checked
}

/** Everything a confirmation needs but the proved phone itself; read in the transaction too. */
async function checkConfirmation(
  reader: Pick<TransactionScope, 'get'>,
  caller: Caller,
  ticketId: string,
  hasPhoneProof: boolean,
  now: Date,
) {
  const ticket = await reader.get<RebindTicketDoc>(REBIND_TICKETS, ticketId)
  const isLive = ticket !== null && ticket.expiresAt > toStoredTime(now)
  const member = isLive ? await reader.get<MemberDoc>('members', ticket.memberId) : null
  if (!ticket || !member || member.deletedAt) return refuse('REBIND_TICKET_INVALID')

  const isOldAccount = caller.openid === member.openid
  const isNewAccount = caller.openid === ticket.newOpenid && hasPhoneProof
  if (!isOldAccount && !isNewAccount) return refuse('NOT_ALLOWED')
  if (!isOldAccount && ticket.confirmableByPhoneFrom > toStoredTime(now)) {
    return refuse('REBIND_TOO_EARLY')
  }

  const newOpenidKey = memberKey('openid', ticket.newOpenid)
  const newUnionidKey = ticket.newUnionid ? memberKey('unionid', ticket.newUnionid) : null
  const isTaken =
    (await reader.get('memberKeys', newOpenidKey)) !== null ||
    (newUnionidKey !== null && (await reader.get('memberKeys', newUnionidKey)) !== null)
  if (isTaken) return refuse('ALREADY_REGISTERED', '新的微信账号已经是会员')

  return succeed({ ticket, member, isOldAccount, newOpenidKey, newUnionidKey })
}

/** The old account refuses a request it did not make. */
export async function cancelRebind(
  db: Database,
  member: MemberDoc,
  ticketId: string,
  context: Context,
): Promise<Result<{ isCancelled: true }>> {
  const ticket = await db.get<RebindTicketDoc>(REBIND_TICKETS, ticketId)
  if (!ticket || ticket.memberId !== member._id) return refuse('REBIND_TICKET_INVALID')

  await db.transaction(async (tx) => {
    await tx.remove(REBIND_TICKETS, ticketId)
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(member._id),
        action: 'member.cancelRebind',
        memberId: member._id,
        fields: [],
        requestId: context.requestId,
        detail: { ticket: ticketId },
      },
      context.now,
      context.randomBytes,
    )
  })

  return succeed({ isCancelled: true as const })
}

function toRequest(ticket: RebindTicketDoc, member: MemberDoc): RebindRequest {
  return {
    ticket: ticket._id,
    maskedPhone: member.maskedPhone,
    expiresAt: formatBusinessTime(ticket.expiresAt),
    confirmableByPhoneFrom: formatBusinessTime(ticket.confirmableByPhoneFrom),
  }
}
