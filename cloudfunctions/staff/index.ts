import { staffEventSchema } from '../../typings/staff'
import { findActiveStaff, loadStoreRefs } from '../domain/chain'
import { recordPurchase, scanMember } from '../domain/counter'
import { redeemCoupon, refundOrderWithCoupons } from '../domain/coupon-redemption'
import { spendPoints } from '../domain/points'
import { isStaffAllowed } from '../domain/permissions'
import { refuse, succeed } from '../domain/result'
import { answerSettlement } from '../domain/settlement'
import { defineFunction } from '../platform/define-function'

/** The counter and the store's own pages: the caller is a member of staff. */
export const main = defineFunction({
  name: 'staff',
  schema: staffEventSchema,
  async handle(event, { openid, now }, { db, randomBytes }) {
    const staff = openid ? await findActiveStaff(db, openid) : null
    if (!staff || !isStaffAllowed(staff.role, event.action)) return refuse('NOT_ALLOWED')

    switch (event.action) {
      case 'me': {
        const stores = await loadStoreRefs(db, staff.storeId ? [staff.storeId] : [])

        return succeed({
          openid: staff.openid,
          name: staff.name,
          role: staff.role,
          store: staff.storeId ? (stores.get(staff.storeId) ?? null) : null,
          regionId: staff.regionId,
        })
      }
      case 'scan':
        return scanMember(db, staff, event.code, now, randomBytes)
      case 'recordPurchase':
        return recordPurchase(db, staff, event, now, randomBytes)
      case 'spendPoints':
        return spendPoints(db, staff, event, now, randomBytes)
      case 'refund':
        return refundOrderWithCoupons(db, staff, event, now)
      case 'redeemCoupon':
        return redeemCoupon(db, staff, event, now, randomBytes)
      case 'settlement':
        if (!staff.storeId) return refuse('NOT_ALLOWED')

        return answerSettlement(db, { ...event, storeId: staff.storeId })
    }
  },
})
