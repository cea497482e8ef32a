import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import type { StaffDoc, StoreDoc } from '../../cloudfunctions/domain/models'
import type { Database } from '../../cloudfunctions/domain/ports'
import { createDirectDatabase } from '../../local-cloud/direct-database'
import { startLocalCloud, type LocalCloud } from '../../local-cloud/server'
import { functionsBuildDir, h5BuildDir } from '../../scripts/local-paths'

process.env.TONGKA_LOG = 'silent'

export interface TestCloud {
  cloud: LocalCloud
  url: string
  db: Database
  /** Calls a function through the gateway as the caller named by `openid`. */
  call<T = any>(name: string, event: unknown, openid?: string): Promise<T>
  /** Calls a local-only route. */
  dev<T = any>(route: string, body?: unknown): Promise<T>
  /** Every document of every collection, to prove that a refusal wrote nothing. */
  snapshot(): string
  close(): Promise<void>
}

export const demoStores: StoreDoc[] = [
  {
    _id: 'sA',
    name: '鲜邻超市·徐汇区店',
    regionId: 'east',
    city: '上海市',
    cityCode: '3101',
    district: '徐汇区',
    districtCode: '310104',
    isActive: true,
  },
  {
    _id: 'sB',
    name: '鲜邻超市·西湖区店',
    regionId: 'east',
    city: '杭州市',
    cityCode: '3301',
    district: '西湖区',
    districtCode: '330106',
    isActive: true,
  },
]

export const clerkA: StaffDoc = staffAt('o-clerk-sA', 'clerk', 'sA')
export const clerkB: StaffDoc = staffAt('o-clerk-sB', 'clerk', 'sB')
export const managerA: StaffDoc = staffAt('o-manager-sA', 'store_manager', 'sA')
export const regionManager: StaffDoc = {
  ...staffAt('o-region-east', 'region_manager', null),
  regionId: 'east',
}

function staffAt(openid: string, role: StaffDoc['role'], storeId: string | null): StaffDoc {
  return { _id: openid, openid, name: openid, role, storeId, regionId: 'east', isActive: true }
}

const trackedCollections = [
  'members',
  'memberKeys',
  'visits',
  'pointLots',
  'usedCardCodes',
  'settings',
  'stores',
  'staff',
  'auditLog',
  'rebindTickets',
  'pointEntries',
  'settlements',
  'jobs',
  'couponTemplates',
  'coupons',
  'couponCounters',
  'couponOrderRefunds',
  'birthdayGifts',
  'regions',
  'staffInvitations',
]

/** A local cloud on a random port with its own data folder and a two-store chain. */
export async function startTestCloud(): Promise<TestCloud> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tongka-test-'))
  const cloud = await startLocalCloud({
    port: 0,
    dataDir,
    functionsDir: functionsBuildDir,
    staticDir: h5BuildDir,
    schedulerTickMs: 0,
  })
  const db = createDirectDatabase(cloud.store)
  await upsertRegion(db, { _id: 'east', name: '华东' })
  for (const store of demoStores) await upsertStore(db, store)
  for (const staff of [clerkA, clerkB, managerA, regionManager]) await upsertStaff(db, staff)

  const post = async (route: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${cloud.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body ?? {}),
    })

    return response.json()
  }

  return {
    cloud,
    url: cloud.url,
    db,
    async call(name, event, openid) {
      const answer = await post(
        `/api/functions/${name}`,
        event,
        openid ? { 'x-openid': openid } : {},
      )

      return answer.result
    },
    dev: (route, body) => post(`/api/dev/${route}`, body),
    snapshot() {
      return JSON.stringify(
        trackedCollections.map((collection) =>
          cloud.store.find(collection, {}, { sort: { _id: 1 } }),
        ),
      )
    },
    async close() {
      await cloud.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
