import { memberEventSchema } from '../../typings/member'
import { listOpenStores } from '../domain/chain'
import { hasCurrentConsent } from '../domain/member-profile'
import {
  buildCard,
  findMemberByCaller,
  refuseRegistration,
  registerAndBuildCard,
} from '../domain/members'
import { issueCardCode } from '../domain/card-codes'
import {
  exchangeForCoupon,
  findWalletCoupon,
  listExchangeable,
  listWallet,
} from '../domain/coupons'
import { listHistory } from '../domain/history'
import { listPoints } from '../domain/points'
import { loadPointsRules } from '../domain/points-rules'
import { describeTierInfo } from '../domain/tiers'
import { normalizeMobile } from '../domain/phone'
import { refuse, succeed } from '../domain/result'
import { loadSettings } from '../domain/settings'
import { defineFunction } from '../platform/define-function'
import { exchangePhoneCode } from '../platform/wechat'
import { handleIdentityEvent, isIdentityEvent } from './identity-actions'

/** The member's own function: the caller is the member WeChat names. */
export const main = defineFunction({
  name: 'member',
  schema: memberEventSchema,
  async handle(event, invocation, services) {
    const { openid, unionid, now } = invocation
    const { db, app, log, randomBytes } = services
    if (!openid) return refuse('NOT_ALLOWED', '无法识别微信身份')

    if (event.action === 'terms') return succeed((await loadSettings(db)).terms)

    if (event.action === 'register') {
      const registration = {
        storeId: event.storeId ?? null,
        name: event.name ?? null,
        birthday: event.birthday ?? null,
        consentVersion: event.consentVersion,
      }
      const refusal = await refuseRegistration(db, registration, now)
      if (refusal) return refusal

      const exchanged = await exchangePhoneCode(app, event.phoneCode, log)
      if (!exchanged.ok) return exchanged

      const phone = normalizeMobile(exchanged.data)
      if (!phone) return refuse('PHONE_INVALID')

      return registerAndBuildCard(
        db,
        { ...registration, openid, unionid, phone },
        now,
        randomBytes,
        invocation.requestId,
      )
    }

    if (isIdentityEvent(event)) {
      return handleIdentityEvent(event, { ...invocation, openid }, services)
    }

    const member = await findMemberByCaller(db, openid, unionid)
    if (!member) return refuse('NOT_REGISTERED')
    // Terms HQ published since the member last agreed must be accepted before anything else.
    if (!hasCurrentConsent(member, await loadSettings(db))) return refuse('CONSENT_OUTDATED')

    switch (event.action) {
      case 'card':
        return succeed(await buildCard(db, member, now))
      case 'code':
        return succeed(issueCardCode(member, now, randomBytes(1)[0] % 10))
      case 'history':
        return succeed(await listHistory(db, member._id, event.cursor))
      case 'points':
        return succeed(await listPoints(db, member, event.cursor, now))
      case 'tier':
        return succeed(describeTierInfo(await loadPointsRules(db), member, now))
      case 'stores':
        return succeed({ stores: await listOpenStores(db) })
      case 'coupons':
        return succeed(await listWallet(db, member._id, event, now))
      case 'coupon':
        return findWalletCoupon(db, member._id, event.couponId, now)
      case 'exchangeable':
        return succeed(await listExchangeable(db, member, event.cursor, now))
      case 'exchange':
        return exchangeForCoupon(db, member, event, now, randomBytes, invocation.requestId)
    }
  },
})
