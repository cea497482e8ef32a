import { parse } from 'csv-parse/sync'
import { upsertStaff } from '../../cloudfunctions/domain/chain'
import { EXPORT_PAGE_SIZE } from '../../cloudfunctions/domain/member-export'
import type { MemberDoc } from '../../cloudfunctions/domain/models'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

const T0 = '2026-03-02T04:00:00.000Z'
/** More than two pages, and more than the thousand documents one CloudBase query answers. */
const MEMBERS_AT_A = 1_150
const MEMBERS_AT_B = 60
const DELETED_AT_A = 3
let env: TestCloud

function memberDoc(index: number, storeId: string, isDeleted = false): MemberDoc {
  const memberNo = String(100_000_000 + index)
  const phone = `+86139${String(index).padStart(8, '0')}`

  return {
    _id: `M${memberNo}`,
    memberNo,
    phone: isDeleted ? '' : phone,
    maskedPhone: isDeleted ? '' : `139****${phone.slice(-4)}`,
    openid: isDeleted ? '' : `o-member-${index}`,
    unionid: null,
    name: null,
    birthday: null,
    homeStoreId: storeId,
    consent: { version: 'v1', acceptedAt: T0 },
    tier: 'regular',
    points: index % 7,
    pointsEarnedTotal: index % 7,
    visitCount: 0,
    lastVisitAt: null,
    lastVisitStoreId: null,
    codeSecret: '00',
    registeredAt: T0,
    ...(isDeleted ? { deletedAt: T0 } : {}),
  }
}

/** Every page of the export, following `nextCursor` as the console does. */
async function exportAll(event: Record<string, unknown> = {}) {
  const pages: any[] = []
  let cursor: string | null = null
  do {
    const answer: any = await env.call(
      'hq',
      { action: 'exportMembers', ...event, ...(cursor ? { cursor } : {}) },
      'o-hq-admin',
    )
    expect(answer.ok).toBe(true)
    pages.push(answer.data)
    cursor = answer.data.nextCursor
  } while (cursor)

  const phones = pages.flatMap((page) =>
    parse(page.csv.replace(/^\uFEFF/, ''), { columns: true }).map((row: any) => row['手机号']),
  )

  return { pages, phones }
}

beforeAll(async () => {
  env = await startTestCloud()
  await env.dev('clock', { now: T0, freeze: true })
  await upsertStaff(env.db, {
    _id: 'o-hq-admin',
    openid: 'o-hq-admin',
    name: '总部',
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  })
  let index = 0
  for (let n = 0; n < MEMBERS_AT_A; n += 1) await env.db.insert('members', memberDoc(index++, 'sA'))
  for (let n = 0; n < MEMBERS_AT_B; n += 1) await env.db.insert('members', memberDoc(index++, 'sB'))
  for (let n = 0; n < DELETED_AT_A; n += 1) {
    await env.db.insert('members', memberDoc(index++, 'sA', true))
  }
}, 120_000)

afterAll(async () => {
  await env.close()
})

describe('the member export of a chain larger than one query', () => {
  it('gives every member once across pages and audits each once', async () => {
    const { pages, phones } = await exportAll()
    const entries = await env.db.find<any>(
      'auditLog',
      { action: 'exportMembers' },
      { limit: 5_000 },
    )

    expect(pages.length).toBe(Math.ceil((MEMBERS_AT_A + MEMBERS_AT_B) / EXPORT_PAGE_SIZE))
    expect(pages.at(-1).nextCursor).toBeNull()
    expect(pages.map((page) => page.count).reduce((sum, count) => sum + count, 0)).toBe(
      MEMBERS_AT_A + MEMBERS_AT_B,
    )
    expect(phones).toHaveLength(MEMBERS_AT_A + MEMBERS_AT_B)
    expect(new Set(phones).size).toBe(phones.length)
    expect(phones).not.toContain('')
    expect(entries).toHaveLength(MEMBERS_AT_A + MEMBERS_AT_B)
    expect(new Set(entries.map((entry) => entry.memberId)).size).toBe(entries.length)
  }, 120_000)

  it("pages one home store's members to the last of them", async () => {
    const { pages, phones } = await exportAll({ storeId: 'sA' })

    expect(pages.length).toBe(Math.ceil(MEMBERS_AT_A / EXPORT_PAGE_SIZE))
    expect(phones).toHaveLength(MEMBERS_AT_A)
    expect(new Set(phones).size).toBe(MEMBERS_AT_A)
    expect(pages.map((page) => page.filename)).toEqual([
      'members-sA-2026-03-02.csv',
      ...pages.slice(1).map((_, n) => `members-sA-2026-03-02-from-${pages[n].nextCursor}.csv`),
    ])
  }, 120_000)
})
