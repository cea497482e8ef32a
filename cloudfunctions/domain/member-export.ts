import { stringify } from 'csv-stringify/sync'
import { tierNames } from '../../typings/common'
import { genderNames } from '../../typings/member-identity'
import type { MemberExport } from '../../typings/staff-admin'
import { appendAudit } from './audit'
import { loadStoreRefs } from './chain'
import type { MemberDoc } from './models'
import type { Database } from './ports'
import type { ReadRequest } from './member-views'
import { succeed, type Result } from './result'
import { businessDate, formatBusinessTime } from './time'

/**
 * HQ's export of the member list, unmasked: the most personal read there is, so only the HQ admin
 * may run it (permissions.ts) and every member in a page gets an audit entry of their own, written
 * in one transaction before the file is answered. Large lists come in pages of `EXPORT_PAGE_SIZE`,
 * each page its own file, so a function never holds the whole chain in memory. A page asks for one
 * member more than it holds, to know that another follows, and CloudBase's SDK answers a thousand
 * documents at most whatever it is asked: a page of a thousand never saw that extra member.
 */
export const EXPORT_PAGE_SIZE = 500

const COLUMNS = [
  '会员号',
  '手机号',
  '姓名',
  '生日',
  '性别',
  '等级',
  '积分',
  '到店次数',
  '归属门店',
  '注册时间',
  '最近到店',
]

export async function exportMembers(
  db: Database,
  request: ReadRequest,
  query: { storeId?: string; cursor?: string },
): Promise<Result<MemberExport>> {
  const filter = {
    ...(query.storeId ? { homeStoreId: query.storeId } : {}),
    // Only HQ exports today, whose scope is everything; a narrower scope would still hold.
    ...(request.storeIds && !query.storeId ? { homeStoreId: { $in: request.storeIds } } : {}),
    ...(query.cursor ? { _id: { $gt: query.cursor } } : {}),
  }
  const found = await db.find<MemberDoc>('members', filter, {
    orderBy: [['_id', 'asc']],
    limit: EXPORT_PAGE_SIZE + 1,
  })
  const page = found.slice(0, EXPORT_PAGE_SIZE)
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
        action: 'exportMembers',
        memberId: member._id,
        fields: ['phone', 'name', 'birthday', 'gender', 'tier', 'points', 'homeStoreId'],
        requestId: audit.requestId,
        detail: { storeId: query.storeId ?? null },
      }
      await appendAudit(tx, record, now, audit.randomBytes)
    }
  })

  const rows = members.map((member) => [
    member.memberNo,
    member.phone,
    member.name ?? '',
    member.birthday ?? '',
    member.gender ? genderNames[member.gender] : '',
    tierNames[member.tier],
    member.points,
    member.visitCount,
    member.homeStoreId ? (stores.get(member.homeStoreId)?.name ?? member.homeStoreId) : '',
    formatBusinessTime(member.registeredAt),
    member.lastVisitAt ? formatBusinessTime(member.lastVisitAt) : '',
  ])
  const nextCursor = found.length > EXPORT_PAGE_SIZE ? (page.at(-1)?._id ?? null) : null
  const part = query.cursor ? `-from-${query.cursor}` : ''

  return succeed({
    filename: `members-${query.storeId ?? 'all'}-${businessDate(now)}${part}.csv`,
    // A byte-order mark so that Excel, which HQ opens these in, reads the Chinese as UTF-8.
    csv: `\uFEFF${stringify([COLUMNS, ...rows])}`,
    count: members.length,
    nextCursor,
  })
}
