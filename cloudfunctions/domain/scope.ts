import type { MemberDoc, StaffDoc, StoreDoc } from './models'
import type { Scope } from './permissions'
import type { Database } from './ports'

/**
 * What a scope of the permission table means for one caller: the stores it reaches. `null` means
 * every store. A caller whose binding is missing (a store's staff without a store) reaches none.
 */
export async function storesInScope(
  db: Database,
  staff: StaffDoc,
  scope: Scope,
): Promise<string[] | null> {
  if (scope === 'all') return null
  if (scope === 'own_store') return staff.storeId ? [staff.storeId] : []

  const regionId = await regionOf(db, staff)
  if (!regionId) return []

  const stores = await db.find<StoreDoc>('stores', { regionId }, { limit: 1000 })

  return stores.map((store) => store._id)
}

/** A region manager's region; a store's staff belong to their store's region. */
export async function regionOf(db: Database, staff: StaffDoc): Promise<string | null> {
  if (staff.storeId) {
    const store = await db.get<StoreDoc>('stores', staff.storeId)

    return store?.regionId ?? null
  }

  return staff.regionId
}

/**
 * A member belongs to a store's scope when it is their home or preferred store, or they have
 * bought there: the stores that serve them, not every store they might walk into.
 */
export async function isMemberInStores(
  db: Database,
  member: MemberDoc,
  storeIds: string[] | null,
): Promise<boolean> {
  if (storeIds === null) return true
  if (storeIds.length === 0) return false

  const ownStores = [member.homeStoreId, member.preferredStoreId, member.lastVisitStoreId]
  if (ownStores.some((storeId) => storeId && storeIds.includes(storeId))) return true

  const visits = await db.count('visits', { memberId: member._id, storeId: { $in: storeIds } })

  return visits > 0
}
