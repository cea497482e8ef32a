import type { StoreRef } from '../../typings/common'
import type { ChainRegion } from '../../typings/hq'
import type { RegionDoc, StaffDoc, StoreDoc } from './models'
import type { Database } from './ports'

/** CloudBase answers at most this many documents to one query. */
const MAX_LISTED_STORES = 1000

/** The chain's structure: regions, stores and staff, as HQ keeps it. */

export async function upsertRegion(db: Database, region: RegionDoc): Promise<void> {
  await db.set('regions', region)
}

export async function upsertStore(db: Database, store: StoreDoc): Promise<void> {
  await db.set('stores', store)
}

export async function upsertStaff(db: Database, staff: StaffDoc): Promise<void> {
  await db.set('staff', { ...staff, _id: staff.openid })
}

export async function findActiveStaff(db: Database, openid: string): Promise<StaffDoc | null> {
  const staff = await db.get<StaffDoc>('staff', openid)

  return staff?.isActive ? staff : null
}

export function toStoreRef(store: StoreDoc): StoreRef {
  return { storeId: store._id, name: store.name, city: store.city, district: store.district }
}

/** Stores by id, for lists that name the store of each line. */
export async function loadStoreRefs(db: Database, storeIds: string[]) {
  const uniqueIds = [...new Set(storeIds)]
  const stores = uniqueIds.length
    ? await db.find<StoreDoc>('stores', { _id: { $in: uniqueIds } }, { limit: uniqueIds.length })
    : []

  return new Map(stores.map((store) => [store._id, toStoreRef(store)]))
}

/** Every open store, by city and district, as a member picks one. */
export async function listOpenStores(db: Database): Promise<StoreRef[]> {
  const stores = await db.find<StoreDoc>(
    'stores',
    { isActive: true },
    {
      orderBy: [
        ['cityCode', 'asc'],
        ['districtCode', 'asc'],
        ['name', 'asc'],
      ],
      limit: MAX_LISTED_STORES,
    },
  )

  return stores.map(toStoreRef)
}

/**
 * The chain as the console chooses places from it: each region with its stores, open or closed,
 * by city and district. `storeIds` null is the whole chain; otherwise only the regions holding
 * those stores, with those stores. Read page by page, since CloudBase answers a thousand at most.
 */
export async function listChain(
  db: Database,
  storeIds: string[] | null,
): Promise<{ regions: ChainRegion[] }> {
  const stores: StoreDoc[] = []
  for (let skip = 0; ; skip += MAX_LISTED_STORES) {
    const page = await db.find<StoreDoc>('stores', storeIds ? { _id: { $in: storeIds } } : {}, {
      orderBy: [['_id', 'asc']],
      skip,
      limit: MAX_LISTED_STORES,
    })
    stores.push(...page)
    if (page.length < MAX_LISTED_STORES) break
  }

  const regionIds = [...new Set(stores.map((store) => store.regionId))]
  const regions = regionIds.length
    ? await db.find<RegionDoc>('regions', { _id: { $in: regionIds } }, { limit: regionIds.length })
    : []
  const names = new Map(regions.map((region) => [region._id, region.name]))
  const byPlace = (a: StoreDoc, b: StoreDoc) =>
    a.cityCode.localeCompare(b.cityCode) ||
    a.districtCode.localeCompare(b.districtCode) ||
    a.name.localeCompare(b.name)

  return {
    regions: regionIds.sort().map((regionId) => ({
      regionId,
      name: names.get(regionId) ?? regionId,
      stores: stores
        .filter((store) => store.regionId === regionId)
        .sort(byPlace)
        .map((store) => ({ ...toStoreRef(store), isOpen: store.isActive })),
    })),
  }
}
