import { hqEventSchema } from '../../typings/hq'
import { toAuditActor } from '../domain/audit'
import { searchAuditLog } from '../domain/audit-search'
import { findActiveStaff, listChain } from '../domain/chain'
import { createCouponTemplate, listCouponTemplates } from '../domain/coupon-templates'
import { issueCoupons } from '../domain/coupons'
import { exportMembers } from '../domain/member-export'
import { findMemberByPhone, revealMember } from '../domain/member-views'
import { hqScope } from '../domain/permissions'
import { adjustPoints } from '../domain/points'
import { loadPointsRules, savePointsRules } from '../domain/points-rules'
import { refuse, succeed } from '../domain/result'
import { storesInScope } from '../domain/scope'
import { answerSettlement } from '../domain/settlement'
import { upsertStaffByHq } from '../domain/staff-management'
import { defineFunction } from '../platform/define-function'

/** The web console's function: the caller is HQ staff or a region manager (read only). */
export const main = defineFunction({
  name: 'hq',
  schema: hqEventSchema,
  async handle(event, { openid, now, requestId }, { db, randomBytes }) {
    const staff = openid ? await findActiveStaff(db, openid) : null
    const scope = staff ? hqScope(staff.role, event.action) : null
    if (!staff || !scope) return refuse('NOT_ALLOWED')

    const audit = { actor: toAuditActor(staff), requestId, randomBytes }
    const readRequest = async () => ({
      staff,
      storeIds: await storesInScope(db, staff, scope),
      audit,
      now,
    })

    switch (event.action) {
      case 'adjustPoints':
        return adjustPoints(db, staff, event, { now, requestId, randomBytes })
      case 'getRules':
        return succeed(await loadPointsRules(db))
      case 'chain':
        return succeed(await listChain(db, await storesInScope(db, staff, scope)))
      case 'updateRules':
        return savePointsRules(db, staff, event.rules, { now, requestId, randomBytes })
      case 'createCouponTemplate': {
        const { action: _action, ...template } = event

        return createCouponTemplate(db, staff, template, { now, requestId, randomBytes })
      }
      case 'issueCoupons':
        return issueCoupons(db, staff, event, { now, requestId, randomBytes })
      case 'couponTemplates':
        return succeed(await listCouponTemplates(db, event.cursor))
      case 'settlement': {
        const storeIds = await storesInScope(db, staff, scope)
        const region = storeIds && { regionId: staff.regionId, storeIds }

        return answerSettlement(db, { ...event, storeId: event.storeId ?? null, region })
      }
      case 'upsertStaff': {
        const { action: _action, ...input } = event

        return upsertStaffByHq(db, input, audit, now)
      }
      case 'findMember':
        return findMemberByPhone(db, await readRequest(), event.phone)
      case 'revealMember':
        return revealMember(db, await readRequest(), event.memberId)
      case 'exportMembers':
        return exportMembers(db, await readRequest(), event)
      case 'auditLog': {
        const { action: _action, ...query } = event

        return searchAuditLog(db, await storesInScope(db, staff, scope), query)
      }
    }
  },
})
