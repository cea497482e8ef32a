import { bytesToHex } from '@noble/hashes/utils'
import type { Role } from '../../typings/common'
import type { RandomBytes } from './members'
import type { TransactionScope } from './ports'
import { toStoredTime } from './time'

/**
 * The audit log: who read or changed whose personal data, points or coupons. Entries are written
 * in the same transaction as the change they record, so a change without its entry never lands.
 * TODO(#4): reads by staff (scan summary, detail, reveal, export) and the search in the console.
 */
export interface AuditActor {
  openid: string
  role: Role
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

  await tx.insert('auditLog', {
    _id: `${at}.${bytesToHex(randomBytes(6))}`,
    ...record,
    at,
  })
}
