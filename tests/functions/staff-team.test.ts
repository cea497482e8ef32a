import { upsertStaff } from '../../cloudfunctions/domain/chain'
import type { StaffDoc } from '../../cloudfunctions/domain/models'
import { TEAM_PAGE_SIZE } from '../../cloudfunctions/domain/staff-management'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

/** Enough clerks for several pages: the demo chain has more staff than one page holds. */
const CLERKS_AT_A = 230
const CLERKS_AT_B = 40
let env: TestCloud

function clerk(index: number, storeId: string): StaffDoc {
  const openid = `o-team-${storeId}-${String(index).padStart(3, '0')}`

  return {
    _id: openid,
    openid,
    name: `店员${index}`,
    role: 'clerk',
    storeId,
    regionId: 'east',
    isActive: true,
  }
}

/** Every page of the team, following `nextCursor` as the team page's 更多 does. */
async function listAll(openid: string) {
  const pages: any[] = []
  let cursor: string | null = null
  do {
    const answer: any = await env.call(
      'staff',
      { action: 'team', ...(cursor ? { cursor } : {}) },
      openid,
    )
    expect(answer.ok).toBe(true)
    pages.push(answer.data)
    cursor = answer.data.nextCursor
  } while (cursor)

  return { pages, members: pages.flatMap((page) => page.members) }
}

beforeAll(async () => {
  env = await startTestCloud()
  await upsertStaff(env.db, {
    _id: 'o-hq-admin',
    openid: 'o-hq-admin',
    name: '总部',
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  })
  for (let n = 0; n < CLERKS_AT_A; n += 1) await upsertStaff(env.db, clerk(n, 'sA'))
  for (let n = 0; n < CLERKS_AT_B; n += 1) await upsertStaff(env.db, clerk(n, 'sB'))
}, 60_000)

afterAll(async () => {
  await env.close()
})

describe('the team list', () => {
  it('pages HQ through every member of staff once, in openid order', async () => {
    const total = (await env.db.count('staff', {})) as number
    const { pages, members } = await listAll('o-hq-admin')
    const openids = members.map((member) => member.openid)

    expect(total).toBeGreaterThan(CLERKS_AT_A + CLERKS_AT_B)
    expect(pages.length).toBe(Math.ceil(total / TEAM_PAGE_SIZE))
    expect(pages[0].members).toHaveLength(TEAM_PAGE_SIZE)
    expect(openids).toHaveLength(total)
    expect(new Set(openids).size).toBe(total)
    expect([...openids].sort()).toEqual(openids)
  })

  it("names each member's store and region rather than their ids", async () => {
    const { members } = await listAll('o-region-east')
    const byOpenid = new Map(members.map((member) => [member.openid, member]))

    expect(byOpenid.get('o-team-sB-007')).toMatchObject({
      storeId: 'sB',
      storeName: '鲜邻超市·西湖区店',
      regionName: '华东',
    })
    expect(byOpenid.get('o-region-east')).toMatchObject({
      role: 'region_manager',
      storeName: null,
      regionName: '华东',
    })
  })

  it("gives a store manager every page of their own store's staff and no other", async () => {
    const { members } = await listAll('o-manager-sA')

    expect(members).toHaveLength(CLERKS_AT_A + 2)
    expect(new Set(members.map((member) => member.storeName))).toEqual(
      new Set(['鲜邻超市·徐汇区店']),
    )
  })

  it('refuses a cursor that is not an openid as INVALID_INPUT', async () => {
    const answer = await env.call('staff', { action: 'team', cursor: { $gt: '' } }, 'o-hq-admin')

    expect(answer.error.code).toBe('INVALID_INPUT')
  })
})
