import type { AuditEntry, AuditLogEvent, AuditPage } from '../../typings/staff-admin'
import type { AuditRecord } from './audit'
import type { Comparison, Database, Doc, Filter } from './ports'
import { refuse, succeed, type Result } from './result'
import { formatBusinessTime, toStoredTime } from './time'

/**
 * HQ's search of the audit log, newest first. A region manager's scope is the stores of their
 * region: entries written by those stores' staff. Reading the log is not itself audited: it holds
 * who did what, not members' personal data.
 */

const PAGE_SIZE = 50

type StoredEntry = Doc & AuditRecord & { at: string }

export async function searchAuditLog(
  db: Database,
  storeIds: string[] | null,
  query: Omit<AuditLogEvent, 'action'>,
): Promise<Result<AuditPage>> {
  if (query.storeId && storeIds && !storeIds.includes(query.storeId)) {
    return refuse('NOT_ALLOWED', '这家门店不在您的范围内')
  }

  const filter: Filter = {}
  if (query.memberId) filter.memberId = query.memberId
  if (query.staffOpenid) filter.actorOpenid = query.staffOpenid
  if (query.auditAction) filter.action = query.auditAction
  if (query.storeId) filter.storeId = query.storeId
  else if (storeIds) filter.storeId = { $in: storeIds }

  // Entry ids begin with their UTC time, so one range on `_id` serves both time and paging.
  const idRange: Comparison = {}
  if (query.from) idRange.$gte = toStoredTime(query.from)
  if (query.to) idRange.$lt = toStoredTime(query.to)
  if (query.cursor && (!idRange.$lt || query.cursor < String(idRange.$lt))) {
    idRange.$lt = query.cursor
  }
  if (Object.keys(idRange).length) filter._id = idRange

  const found = await db.find<StoredEntry>('auditLog', filter, {
    orderBy: [['_id', 'desc']],
    limit: PAGE_SIZE + 1,
  })
  const page = found.slice(0, PAGE_SIZE)

  return succeed({
    entries: page.map(toAuditEntry),
    nextCursor: found.length > PAGE_SIZE ? (page.at(-1)?._id ?? null) : null,
  })
}

function toAuditEntry(entry: StoredEntry): AuditEntry {
  return {
    entryId: entry._id,
    at: formatBusinessTime(entry.at),
    actor: {
      openid: entry.actor.openid,
      role: entry.actor.role,
      storeId: entry.actor.storeId,
    },
    action: entry.action,
    memberId: entry.memberId,
    fields: entry.fields,
    requestId: entry.requestId,
  }
}
