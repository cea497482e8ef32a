import type { MemberPage, MemberView } from '../../typings/staff-admin'
import { appendAudit, appendReadAudit, type AuditContext } from './audit'
import { loadStoreRefs } from './chain'
import { viewedFields, viewMember, visibilityFor } from './masking'
import { memberKey } from './members'
import type { MemberDoc, MemberKeyDoc, StaffDoc } from './models'
import { normalizeMobile } from './phone'
import type { Database } from './ports'
import { refuse, succeed, type Result } from './result'
import { isMemberInStores } from './scope'

/**
 * Staff reading a member: the detail page, HQ's search by phone and the explicit reveal. Each
 * read is audited before it is answered; a member outside the caller's scope is not found, so a
 * search cannot confirm who is a member elsewhere.
 */

export interface ReadRequest {
  staff: StaffDoc
  /** The stores the caller's scope reaches; null for all. */
  storeIds: string[] | null
  audit: AuditContext
  now: Date
}

export async function readMemberDetail(
  db: Database,
  request: ReadRequest,
  memberId: string,
): Promise<Result<MemberView>> {
  const member = await findInScope(db, request, memberId)
  if (!member) return refuse('NOT_FOUND', '没有这位会员，或不在您的范围内')

  return answerView(db, request, member, 'memberDetail', false)
}

export async function revealMember(
  db: Database,
  request: ReadRequest,
  memberId: string,
): Promise<Result<MemberView>> {
  const member = await findInScope(db, request, memberId)
  if (!member) return refuse('NOT_FOUND', '没有这位会员，或不在您的范围内')

  return answerView(db, request, member, 'revealMember', true)
}

export async function findMemberByPhone(
  db: Database,
  request: ReadRequest,
  phone: string,
): Promise<Result<{ memberId: string; member: MemberView }>> {
  const normalized = normalizeMobile(phone)
  if (!normalized) return refuse('PHONE_INVALID')

  const key = await db.get<MemberKeyDoc>('memberKeys', memberKey('phone', normalized))
  const member = key ? await findInScope(db, request, key.memberId) : null
  if (!member) return refuse('NOT_FOUND', '没有这位会员，或不在您的范围内')

  const view = await answerView(db, request, member, 'findMember', false)

  return view.ok ? succeed({ memberId: member._id, member: view.data }) : view
}

async function findInScope(db: Database, request: ReadRequest, memberId: string) {
  const member = await db.get<MemberDoc>('members', memberId)
  if (!member || member.deletedAt) return null

  return (await isMemberInStores(db, member, request.storeIds)) ? member : null
}

async function answerView(
  db: Database,
  request: ReadRequest,
  member: MemberDoc,
  action: string,
  isRevealAsked: boolean,
): Promise<Result<MemberView>> {
  const visibility = visibilityFor(request.staff.role, isRevealAsked)
  const stores = await loadStoreRefs(db, member.homeStoreId ? [member.homeStoreId] : [])
  const homeStore = member.homeStoreId ? (stores.get(member.homeStoreId) ?? null) : null
  const read = { action, memberId: member._id, fields: viewedFields, detail: { visibility } }

  await appendReadAudit(db, request.audit, read, request.now)

  return succeed(viewMember(member, homeStore, visibility))
}

const MEMBER_PAGE_SIZE = 20

/**
 * The members whose home store is in the caller's scope, masked, oldest id first. Each member
 * shown is a read of their data: one audit entry each, all written before the page is answered.
 */
export async function listMembers(
  db: Database,
  request: ReadRequest,
  cursor: string | undefined,
): Promise<Result<MemberPage>> {
  if (request.storeIds?.length === 0) return succeed({ members: [], nextCursor: null })

  const filter = {
    ...(request.storeIds ? { homeStoreId: { $in: request.storeIds } } : {}),
    ...(cursor ? { _id: { $gt: cursor } } : {}),
  }
  const found = await db.find<MemberDoc>('members', filter, {
    orderBy: [['_id', 'asc']],
    limit: MEMBER_PAGE_SIZE + 1,
  })
  const page = found.slice(0, MEMBER_PAGE_SIZE)
  const members = page.filter((member) => !member.deletedAt)
  const stores = await loadStoreRefs(
    db,
    members.map((member) => member.homeStoreId ?? ''),
  )
  const { audit, now } = request

  await db.transaction(async (tx) => {
    for (const member of members) {
      const record = {
        actor: audit.actor,
        action: 'members',
        memberId: member._id,
        fields: viewedFields,
        requestId: audit.requestId,
        detail: { visibility: 'masked' },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }
  })

  return succeed({
    members: members.map((member) =>
      viewMember(member, stores.get(member.homeStoreId ?? '') ?? null, 'masked'),
    ),
    nextCursor: found.length > MEMBER_PAGE_SIZE ? (page.at(-1)?._id ?? null) : null,
  })
}
