import { bytesToHex } from '@noble/hashes/utils'
import type { Role } from '../../typings/common'
import type { RandomBytes } from './members'
import type { StaffDoc } from './models'
import type { Database, TransactionScope } from './ports'
import { toStoredTime } from './time'

/**
 * The audit log: who read or changed whose personal data, points or coupons. Entries are written
 * in the same transaction as the change they record, so a change without its entry never lands;
 * a read is written before its answer leaves. Append-only: nothing updates or removes an entry.
 * The search is in audit-search.ts.
 */
export interface AuditActor {
  /** Staff by openid; a member as `member:<memberId>` and a timer as `system:<job>`. */
  openid: string
  role: Role | 'system'
  storeId: string | null
}

export interface AuditRecord {
  actor: AuditActor
  action: string
  memberId: string | null
  fields: string[]
  requestId: string
  detail?: Record<string, unknown>
}

export async function appendAudit(
  tx: TransactionScope,
  record: AuditRecord,
  now: Date,
  randomBytes: RandomBytes,
): Promise<void> {
  const at = toStoredTime(now)

  // The actor's openid and store are repeated at the top level: CloudBase indexes and filters
  // top-level fields only, and the console searches by them.
  await tx.insert('auditLog', {
    _id: `${at}.${bytesToHex(randomBytes(6))}`,
    ...record,
    actorOpenid: record.actor.openid,
    storeId: record.actor.storeId,
    at,
  })
}

/** What a change or a read needs to be audited, besides the time. */
export interface AuditContext {
  actor: AuditActor
  requestId: string
  randomBytes: RandomBytes
}

/**
 * A member acting on their own account. Named by member id, not openid, so that deleting the
 * account leaves no WeChat identity behind in the log.
 */
export function memberAuditActor(memberId: string): AuditActor {
  return { openid: `member:${memberId}`, role: 'member', storeId: null }
}

/** A timer or the registration flow acting on its own, outside any person's request. */
export function systemAuditActor(job: string): AuditActor {
  return { openid: `system:${job}`, role: 'system', storeId: null }
}

export function toAuditActor(staff: Pick<StaffDoc, 'openid' | 'role' | 'storeId'>): AuditActor {
  return { openid: staff.openid, role: staff.role, storeId: staff.storeId }
}

/** A read of personal data: recorded on its own, before the data is answered. */
export async function appendReadAudit(
  db: Database,
  context: AuditContext,
  read: Pick<AuditRecord, 'action' | 'memberId' | 'fields' | 'detail'>,
  now: Date,
): Promise<void> {
  await db.transaction((tx) =>
    appendAudit(
      tx,
      { actor: context.actor, requestId: context.requestId, ...read },
      now,
      context.randomBytes,
    ),
  )
}
