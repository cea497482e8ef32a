import { memberEventSchema } from '../../typings/member'
import { buildCard, findMemberByOpenid, registerAndBuildCard } from '../domain/members'
import { issueCardCode } from '../domain/card-codes'
import { listHistory } from '../domain/history'
import { normalizeMobile } from '../domain/phone'
import { refuse, succeed } from '../domain/result'
import { loadSettings } from '../domain/settings'
import { defineFunction } from '../platform/define-function'
import { exchangePhoneCode } from '../platform/wechat'

/** The member's own function: the caller is the member WeChat names. */
export const main = defineFunction({
  name: 'member',
  schema: memberEventSchema,
  async handle(event, { openid, unionid, now }, { db, app, log, randomBytes }) {
    if (!openid) return refuse('NOT_ALLOWED', '无法识别微信身份')

    if (event.action === 'terms') return succeed((await loadSettings(db)).terms)

    if (event.action === 'register') {
      const exchanged = await exchangePhoneCode(app, event.phoneCode, log)
      if (!exchanged.ok) return exchanged

      const phone = normalizeMobile(exchanged.data)
      if (!phone) return refuse('PHONE_INVALID')

      return registerAndBuildCard(
        db,
        {
          openid,
          unionid,
          phone,
          storeId: event.storeId ?? null,
          name: event.name ?? null,
          birthday: event.birthday ?? null,
          consentVersion: event.consentVersion,
        },
        now,
        randomBytes,
      )
    }

    const member = await findMemberByOpenid(db, openid)
    if (!member) return refuse('NOT_REGISTERED')

    switch (event.action) {
      case 'card':
        return succeed(await buildCard(db, member, now))
      case 'code':
        return succeed(issueCardCode(member, now, randomBytes(1)[0] % 10))
      case 'history':
        return succeed(await listHistory(db, member._id, event.cursor))
    }
  },
})
