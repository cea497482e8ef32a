import type { StaffProfile } from '../../typings/staff'
import { loadStoreRefs } from './chain'
import type { RegionDoc, StaffDoc } from './models'
import type { Database } from './ports'

/**
 * Who the caller is, as the staff pages greet them: their store, and the name of their region,
 * which is all a region manager's header has to say where they work.
 */
export async function describeStaff(db: Database, staff: StaffDoc): Promise<StaffProfile> {
  const stores = await loadStoreRefs(db, staff.storeId ? [staff.storeId] : [])
  const region = staff.regionId ? await db.get<RegionDoc>('regions', staff.regionId) : null

  return {
    openid: staff.openid,
    name: staff.name,
    role: staff.role,
    store: staff.storeId ? (stores.get(staff.storeId) ?? null) : null,
    regionId: staff.regionId,
    regionName: region?.name ?? null,
  }
}
