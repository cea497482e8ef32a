import { randomBytes } from 'node:crypto'
import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import type { StaffDoc } from '../../cloudfunctions/domain/models'
import type { Database } from '../../cloudfunctions/domain/ports'
import { createDirectDatabase } from '../../local-cloud/direct-database'
import { DocumentStore } from '../../local-cloud/store'

export const random = (length: number) => new Uint8Array(randomBytes(length))

/** A small chain on an in-memory store: two stores in one region, a clerk at each. */
export async function createSmallChain(): Promise<{
  db: Database
  store: DocumentStore
  clerkA: StaffDoc
  clerkB: StaffDoc
}> {
  const store = DocumentStore.open(':memory:')
  const db = createDirectDatabase(store)
  await upsertRegion(db, { _id: 'east', name: '华东' })
  for (const [id, district] of [
    ['sA', '徐汇区'],
    ['sB', '西湖区'],
  ]) {
    await upsertStore(db, {
      _id: id,
      name: `鲜邻超市·${district}店`,
      regionId: 'east',
      city: id === 'sA' ? '上海市' : '杭州市',
      cityCode: id === 'sA' ? '3101' : '3301',
      district,
      districtCode: id === 'sA' ? '310104' : '330106',
      isActive: true,
    })
  }
  const clerk = (storeId: string): StaffDoc => ({
    _id: `o-clerk-${storeId}`,
    openid: `o-clerk-${storeId}`,
    name: `店员${storeId}`,
    role: 'clerk',
    storeId,
    regionId: 'east',
    isActive: true,
  })
  const clerkA = clerk('sA')
  const clerkB = clerk('sB')
  await upsertStaff(db, clerkA)
  await upsertStaff(db, clerkB)

  return { db, store, clerkA, clerkB }
}
