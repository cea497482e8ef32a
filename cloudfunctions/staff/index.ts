import { staffEventSchema } from '../../typings/staff'
import { toAuditActor } from '../domain/audit'
import { findActiveStaff } from '../domain/chain'
import { recordPurchase, scanMember } from '../domain/counter'
import { redeemCoupon, refundOrderWithCoupons } from '../domain/coupon-redemption'
import { spendPoints } from '../domain/points'
import { listMembers, readMemberDetail } from '../domain/member-views'
import { staffScope } from '../domain/permissions'
import { refuse, succeed } from '../domain/result'
import { storesInScope } from '../domain/scope'
import { describeStaff } from '../domain/staff-profile'
import { answerSettlement } from '../domain/settlement'
import { acceptInvitation, inviteStaff, listTeam } from '../domain/staff-management'
import { listTodaysVisits } from '../domain/store-visits'
import { defineFunction } from '../platform/define-function'

/** The counter and the store's own pages: the caller is a member of staff. */
export const main = defineFunction({
  name: 'staff',
  schema: staffEventSchema,
  async handle(event, { openid, now, requestId }, { db, randomBytes }) {
    // The one action of a caller who is not staff yet: the invitation code is the permission.
    if (event.action === 'acceptInvitation') {
      if (!openid) return refuse('NOT_ALLOWED')

      return acceptInvitation(db, openid, event.code, { requestId, randomBytes }, now)
    }

    const staff = openid ? await findActiveStaff(db, openid) : null
    const scope = staff ? staffScope(staff.role, event.action) : null
    if (!staff || !scope) return refuse('NOT_ALLOWED')

    const audit = { actor: toAuditActor(staff), requestId, randomBytes }

    switch (event.action) {
      case 'me':
        return succeed(await describeStaff(db, staff))
      case 'scan':
        return scanMember(db, staff, event.code, now, randomBytes, requestId)
      case 'recordPurchase':
        return recordPurchase(db, staff, event, now, randomBytes, requestId)
      case 'spendPoints':
        return spendPoints(db, staff, event, now, randomBytes, requestId)
      case 'refund':
        return refundOrderWithCoupons(db, staff, event, now, audit)
      case 'redeemCoupon':
        return redeemCoupon(db, staff, event, now, randomBytes, requestId)
      case 'settlement':
        if (!staff.storeId) return refuse('NOT_ALLOWED')

        return answerSettlement(db, { ...event, storeId: staff.storeId })
      case 'memberDetail': {
        const storeIds = await storesInScope(db, staff, scope)

        return readMemberDetail(db, { staff, storeIds, audit, now }, event.memberId)
      }
      case 'inviteStaff':
        return inviteStaff(db, staff, event, audit, now)
      case 'team':
        return listTeam(db, staff, scope, event.cursor)
      case 'todayVisits':
        return listTodaysVisits(db, staff.storeId, now)
      case 'members': {
        const storeIds = await storesInScope(db, staff, scope)

        return listMembers(db, { staff, storeIds, audit, now }, event.cursor)
      }
    }
  },
})
