import { appendAudit, memberAuditActor } from './audit'
import { memberKey, type RandomBytes } from './members'
import type { MemberDoc, MemberKeyDoc } from './models'
import type { Database } from './ports'
import { refuse, succeed, type Result } from './result'
import { REBIND_TICKETS, type RebindTicketDoc } from './rebind'
import { toStoredTime } from './time'

/** The member's fields that name or reach a person; deletion empties every one of them. */
const ERASED_FIELDS = {
  phone: '',
  maskedPhone: '',
  openid: '',
  unionid: null,
  name: null,
  birthday: null,
  birthdayMonthDay: null,
  gender: null,
  preferredStoreId: null,
  codeSecret: '',
}

/**
 * Deletes the member's account at once: personal fields are emptied, the phone, openid and
 * unionid keys go (so the phone can register again as a new member), pending rebinds go. The
 * member document stays as an anonymous row so that visits, point lots and store figures keep
 * their totals; its number stays reserved so that no new member inherits an old screenshot.
 */
export async function deleteAccount(
  db: Database,
  memberId: string,
  context: { now: Date; randomBytes: RandomBytes; requestId: string },
): Promise<Result<{ isDeleted: true }>> {
  const tickets = await db.find<RebindTicketDoc>(REBIND_TICKETS, { memberId })

  return db.transaction(async (tx) => {
    const member = await tx.get<MemberDoc>('members', memberId)
    if (!member || member.deletedAt) return refuse('NOT_REGISTERED')

    const keys = [
      memberKey('phone', member.phone),
      memberKey('openid', member.openid),
      ...(member.unionid ? [memberKey('unionid', member.unionid)] : []),
    ]
    for (const key of keys) {
      const found = await tx.get<MemberKeyDoc>('memberKeys', key)
      if (found?.memberId === memberId) await tx.remove('memberKeys', key)
    }
    for (const ticket of tickets) await tx.remove(REBIND_TICKETS, ticket._id)

    await tx.update('members', memberId, {
      set: { ...ERASED_FIELDS, deletedAt: toStoredTime(context.now) },
    })
    await appendAudit(
      tx,
      {
        actor: memberAuditActor(memberId),
        action: 'member.deleteAccount',
        memberId,
        fields: Object.keys(ERASED_FIELDS),
        requestId: context.requestId,
      },
      context.now,
      context.randomBytes,
    )

    return succeed({ isDeleted: true as const })
  })
}
