import { hqEventSchema } from '../../typings/hq'
import { findActiveStaff } from '../domain/chain'
import { createCouponTemplate, listCouponTemplates } from '../domain/coupon-templates'
import { issueCoupons } from '../domain/coupons'
import { isHqAllowed } from '../domain/permissions'
import { adjustPoints } from '../domain/points'
import { loadPointsRules, savePointsRules } from '../domain/points-rules'
import { refuse, succeed } from '../domain/result'
import { answerSettlement } from '../domain/settlement'
import { defineFunction } from '../platform/define-function'

/** The web console's function: the caller is HQ staff or a region manager (read only). */
export const main = defineFunction({
  name: 'hq',
  schema: hqEventSchema,
  async handle(event, { openid, now, requestId }, { db, randomBytes }) {
    const staff = openid ? await findActiveStaff(db, openid) : null
    if (!staff || !isHqAllowed(staff.role, event.action)) return refuse('NOT_ALLOWED')

    switch (event.action) {
      case 'adjustPoints':
        return adjustPoints(db, staff, event, { now, requestId, randomBytes })
      case 'getRules':
        return succeed(await loadPointsRules(db))
      case 'updateRules':
        return savePointsRules(db, staff, event.rules, { now, requestId, randomBytes })
      case 'createCouponTemplate': {
        const { action: _action, ...template } = event

        return createCouponTemplate(db, staff, template, { now, requestId, randomBytes })
      }
      case 'issueCoupons':
        return issueCoupons(db, staff, event, { now, requestId, randomBytes })
      case 'couponTemplates':
        return succeed(await listCouponTemplates(db))
      case 'settlement':
        return answerSettlement(db, { ...event, storeId: event.storeId ?? null })
    }
  },
})
