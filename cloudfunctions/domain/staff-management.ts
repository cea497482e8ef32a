import type { Invitation, TeamMember, TeamPage, UpsertStaffEvent } from '../../typings/staff-admin'
import { appendAudit, toAuditActor, type AuditContext } from './audit'
import { loadStoreRefs } from './chain'
import type { RegionDoc, StaffDoc, StaffRole, StoreDoc } from './models'
import type { Scope } from './permissions'
import type { Database, Doc, Filter } from './ports'
import { refuse, succeed, type Result } from './result'
import { regionOf, storesInScope } from './scope'
import { formatBusinessTime, toStoredTime } from './time'

/**
 * Who works where: HQ adds, moves and deactivates any staff; a store manager invites clerks into
 * their own store with a single-use code. Every change is audited in its own transaction, and
 * takes effect at the next call, because every call reads the caller's staff document afresh.
 */

/** Long enough to pass on by chat the same day, short enough that a leaked code soon dies. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000

/** 32 symbols, so a random byte maps to one without bias; no 0/O or 1/I to misread. */
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
const CODE_LENGTH = 8

export interface InvitationDoc extends Doc {
  storeId: string
  regionId: string | null
  role: StaffRole
  name: string
  invitedBy: string
  createdAt: string
  expiresAt: string
  acceptedBy: string | null
  acceptedAt: string | null
}

type StaffInput = Omit<UpsertStaffEvent, 'action'>

/** HQ's add, move or deactivate: the document is replaced as a whole, bindings checked first. */
export async function upsertStaffByHq(
  db: Database,
  input: StaffInput,
  audit: AuditContext,
  now: Date,
): Promise<Result<TeamMember>> {
  const binding = await resolveBinding(db, input)
  if (!binding.ok) return binding

  const staff: StaffDoc = {
    _id: input.openid,
    openid: input.openid,
    name: input.name,
    role: input.role,
    ...binding.data,
    isActive: input.isActive,
  }

  return db.transaction(async (tx) => {
    const before = await tx.get<StaffDoc>('staff', input.openid)
    await tx.set('staff', staff)
    await appendAudit(
      tx,
      {
        actor: audit.actor,
        action: 'upsertStaff',
        memberId: null,
        fields: changedFields(before, staff),
        requestId: audit.requestId,
        detail: { openid: staff.openid, role: staff.role, storeId: staff.storeId },
      },
      now,
      audit.randomBytes,
    )

    return succeed(toTeamMember(staff))
  })
}

async function resolveBinding(
  db: Database,
  input: StaffInput,
): Promise<Result<Pick<StaffDoc, 'storeId' | 'regionId'>>> {
  if (input.role === 'clerk' || input.role === 'store_manager') {
    const store = input.storeId ? await db.get<StoreDoc>('stores', input.storeId) : null
    if (!store) return refuse('INVALID_INPUT', '门店员工需要一家存在的门店')

    return succeed({ storeId: store._id, regionId: store.regionId })
  }
  if (input.role === 'region_manager') {
    const region = input.regionId ? await db.get<RegionDoc>('regions', input.regionId) : null
    if (!region) return refuse('INVALID_INPUT', '区域经理需要一个存在的区域')

    return succeed({ storeId: null, regionId: region._id })
  }

  return succeed({ storeId: null, regionId: null })
}

function changedFields(before: StaffDoc | null, after: StaffDoc): string[] {
  const fields = ['name', 'role', 'storeId', 'regionId', 'isActive'] as const

  return fields.filter((field) => !before || before[field] !== after[field])
}

/** A store manager's invitation: a code bound to their store and the role, for one person. */
export async function inviteStaff(
  db: Database,
  manager: StaffDoc,
  input: { name: string; role: StaffRole },
  audit: AuditContext,
  now: Date,
): Promise<Result<Invitation>> {
  if (!manager.storeId) return refuse('NOT_ALLOWED', '只有门店店长可以邀请店员')

  const code = newInvitationCode(audit.randomBytes)
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS)
  const invitation: InvitationDoc = {
    _id: code,
    storeId: manager.storeId,
    regionId: await regionOf(db, manager),
    role: input.role,
    name: input.name,
    invitedBy: manager.openid,
    createdAt: toStoredTime(now),
    expiresAt: toStoredTime(expiresAt),
    acceptedBy: null,
    acceptedAt: null,
  }

  return db.transaction(async (tx) => {
    await tx.insert('staffInvitations', invitation)
    await appendAudit(
      tx,
      {
        actor: audit.actor,
        action: 'inviteStaff',
        memberId: null,
        fields: ['role', 'storeId'],
        requestId: audit.requestId,
        detail: { role: input.role, storeId: manager.storeId, expiresAt: invitation.expiresAt },
      },
      now,
      audit.randomBytes,
    )

    return succeed({ code, expiresAt: formatBusinessTime(expiresAt) })
  })
}

function newInvitationCode(randomBytes: AuditContext['randomBytes']): string {
  return Array.from(randomBytes(CODE_LENGTH), (byte) => CODE_ALPHABET[byte % 32]).join('')
}

/**
 * The invitee binds their openid to the invitation on first use. A retry by the same person
 * answers the same staff record; anyone else after them is refused.
 */
export async function acceptInvitation(
  db: Database,
  openid: string,
  code: string,
  context: Omit<AuditContext, 'actor'>,
  now: Date,
): Promise<Result<TeamMember>> {
  return db.transaction(async (tx) => {
    const invitation = await tx.get<InvitationDoc>('staffInvitations', code)
    if (!invitation) return refuse('CODE_INVALID', '邀请码无效')

    const existing = await tx.get<StaffDoc>('staff', openid)
    if (invitation.acceptedBy === openid && existing) return succeed(toTeamMember(existing))
    if (invitation.acceptedBy) return refuse('CODE_USED', '邀请码已被使用')
    if (invitation.expiresAt <= toStoredTime(now)) return refuse('CODE_EXPIRED', '邀请码已过期')
    if (existing?.isActive) return refuse('NOT_ALLOWED', '您已是员工，调岗请联系总部')

    const staff: StaffDoc = {
      _id: openid,
      openid,
      name: invitation.name,
      role: invitation.role,
      storeId: invitation.storeId,
      regionId: invitation.regionId,
      isActive: true,
    }
    await tx.set('staff', staff)
    await tx.update('staffInvitations', code, {
      set: { acceptedBy: openid, acceptedAt: toStoredTime(now) },
    })
    await appendAudit(
      tx,
      {
        actor: toAuditActor(staff),
        action: 'acceptInvitation',
        memberId: null,
        fields: changedFields(existing, staff),
        requestId: context.requestId,
        // The code itself stays out: the log is read widely, and a code is a credential until used.
        detail: { invitedBy: invitation.invitedBy },
      },
      now,
      context.randomBytes,
    )

    return succeed(toTeamMember(staff))
  })
}

export const TEAM_PAGE_SIZE = 100

/**
 * The staff the caller's scope reaches, by openid, a page at a time: their store, their region's
 * stores and region managers, or everyone. A region is read through its stores, so a store moved
 * to another region takes its staff with it at once. The cursor is the last openid shown.
 */
export async function listTeam(
  db: Database,
  staff: StaffDoc,
  scope: Scope,
  cursor?: string,
): Promise<Result<TeamPage>> {
  const after = cursor ? { _id: { $gt: cursor } } : {}
  const queries = (await teamFilters(db, staff, scope)).map((filter) =>
    db.find<StaffDoc>(
      'staff',
      { ...filter, ...after },
      { orderBy: [['_id', 'asc']], limit: TEAM_PAGE_SIZE + 1 },
    ),
  )
  // Region managers and the stores' staff are two queries, merged in the one order they share.
  const byId = new Map((await Promise.all(queries)).flat().map((doc) => [doc._id, doc]))
  const found = [...byId.values()].sort((a, b) => (a._id < b._id ? -1 : 1))
  const page = found.slice(0, TEAM_PAGE_SIZE)
  const last = page.at(-1)

  return succeed({
    members: await nameTeam(db, page),
    nextCursor: found.length > TEAM_PAGE_SIZE && last ? last._id : null,
  })
}

/** One filter for every staff document of the scope, or several that together make it. */
async function teamFilters(db: Database, staff: StaffDoc, scope: Scope): Promise<Filter[]> {
  if (scope === 'all') return [{}]

  const storeIds = (await storesInScope(db, staff, scope)) ?? []
  const regionId = scope === 'own_region' ? await regionOf(db, staff) : null

  return [
    ...(storeIds.length ? [{ storeId: { $in: storeIds } }] : []),
    ...(regionId ? [{ regionId, role: 'region_manager' }] : []),
  ]
}

async function nameTeam(db: Database, page: StaffDoc[]) {
  const stores = await loadStoreRefs(
    db,
    page.flatMap((member) => (member.storeId ? [member.storeId] : [])),
  )
  const regionIds = [...new Set(page.flatMap((member) => member.regionId ?? []))]
  const regions = regionIds.length
    ? await db.find<RegionDoc>('regions', { _id: { $in: regionIds } }, { limit: regionIds.length })
    : []
  const regionNames = new Map(regions.map((region) => [region._id, region.name]))

  return page.map((member) => ({
    ...toTeamMember(member),
    storeName: member.storeId ? (stores.get(member.storeId)?.name ?? null) : null,
    regionName: member.regionId ? (regionNames.get(member.regionId) ?? null) : null,
  }))
}

function toTeamMember(staff: StaffDoc): TeamMember {
  return {
    openid: staff.openid,
    name: staff.name,
    role: staff.role,
    storeId: staff.storeId,
    regionId: staff.regionId,
    isActive: staff.isActive,
  }
}
