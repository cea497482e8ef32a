import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidHide, useDidShow } from '@tarojs/taro'
import { useEffect, useRef, useState } from 'react'
import {
  cardCodeExpiresAt,
  cardSchema,
  makeCardCode,
  tierNames,
  type Card,
} from '../../../../typings'
import { Barcode } from '../../components/barcode'
import { LinkItem } from '../../components/link-item'
import { ErrorNotice } from '../../components/notice'
import { SwitchIdentityLink } from '../../components/switch-identity'
import { QrCode } from '../../components/qr-code'
import { isWeapp, routes } from '../../config'
import { readCachedCard, saveCachedCard } from '../../services/card-cache'
import { callFunction } from '../../services/cloud'
import { reconsentUrl, registerUrl } from '../../services/member-entry'

const VARIANT_COUNT = 10

async function brightenScreen(): Promise<number | null> {
  if (!isWeapp) return null

  try {
    const { value } = await Taro.getScreenBrightness()
    await Taro.setScreenBrightness({ value: 1 })
    return value
  } catch {
    return null
  }
}

export default function CardPage() {
  const [card, setCard] = useState<Card | null>(() => readCachedCard())
  const [serverOffsetMs, setServerOffsetMs] = useState(0)
  const [variant, setVariant] = useState(0)
  const [now, setNow] = useState(() => Date.now())
  const [error, setError] = useState<string | null>(null)
  const previousBrightness = useRef<number | null>(null)
  // The code panel spans the page less its side padding; the barcode keeps clear of both edges.
  const [barcodeMaxWidth] = useState(() => Taro.getSystemInfoSync().windowWidth - 40)

  async function loadCard() {
    const result = await callFunction('member', { action: 'card' }, cardSchema)
    const receivedAt = Date.now()

    if (result.ok) {
      setCard(result.data)
      setServerOffsetMs(Date.parse(result.data.serverTime) - receivedAt)
      setError(null)
      saveCachedCard(result.data)
      return
    }

    if (result.error.code === 'NOT_REGISTERED') {
      await Taro.redirectTo({ url: registerUrl(undefined) })
      return
    }

    if (result.error.code === 'CONSENT_OUTDATED') {
      await Taro.redirectTo({ url: reconsentUrl })
      return
    }

    setError(result.error.message)
  }

  useDidShow(() => {
    void loadCard()
    void brightenScreen().then((value) => {
      previousBrightness.current = value
    })
  })

  useDidHide(() => {
    if (previousBrightness.current === null) return

    void Taro.setScreenBrightness({ value: previousBrightness.current }).catch(() => undefined)
  })

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])

  if (!card) {
    return (
      <View className='page page--center' data-testid='card-page'>
        <Text className='muted'>{error ? '' : '正在加载会员卡…'}</Text>
        <ErrorNotice message={error} testId='card-error' />
      </View>
    )
  }

  const serverNow = now + serverOffsetMs
  const code = makeCardCode(card.codeSecret, card.memberNo, serverNow, variant)
  const secondsLeft = Math.max(0, Math.ceil((cardCodeExpiresAt(serverNow) - serverNow) / 1000))

  return (
    <View className='page' data-testid='card-page'>
      <View className={`member-card member-card--${card.tier}`}>
        <View className='member-card__top'>
          <Text className='member-card__brand'>通卡会员</Text>
          <Text className='member-card__tier' data-testid='card-tier'>
            {tierNames[card.tier]}
          </Text>
        </View>
        <Text className='member-card__name'>{card.name ?? '尊敬的会员'}</Text>
        <Text className='member-card__phone' data-testid='card-phone'>
          {card.maskedPhone}
        </Text>
        <View className='member-card__stats'>
          <View className='stat'>
            <Text className='stat__value' data-testid='card-points'>
              {card.points}
            </Text>
            <Text className='stat__label'>积分</Text>
          </View>
          <View className='stat'>
            <Text className='stat__value'>{card.couponCount}</Text>
            <Text className='stat__label'>优惠券</Text>
          </View>
        </View>
        <Text className='member-card__store' data-testid='card-home-store'>
          开卡门店：{card.homeStore ? card.homeStore.name : '—'}
        </Text>
        {card.pointsExpiringSoon > 0 && (
          <Text className='member-card__store'>{card.pointsExpiringSoon} 积分即将过期</Text>
        )}
      </View>

      <View className='code-panel'>
        <Text className='code-panel__hint'>到店消费请出示此码</Text>
        <Barcode digits={code} maxWidth={barcodeMaxWidth} height={64} testId='card-barcode' />
        <Text className='code-panel__digits' data-testid='card-code-text'>
          {code}
        </Text>
        <QrCode text={code} moduleSize={6} testId='card-qr' />
        <View className='code-panel__footer'>
          <Text className='muted' data-testid='card-countdown'>
            {secondsLeft} 秒后自动更新
          </Text>
          <Button
            className='button button--small'
            data-testid='card-refresh'
            onClick={() => setVariant((variant + 1) % VARIANT_COUNT)}
          >
            刷新
          </Button>
        </View>
      </View>

      <ErrorNotice message={error} testId='card-error' />

      <LinkItem
        testId='card-history-link'
        title='消费记录'
        meta='在所有门店的到店和积分 ›'
        url={routes.history}
      />
      <LinkItem
        testId='card-wallet-link'
        title='我的优惠券'
        meta={card.couponCount ? `${card.couponCount} 张可用 ›` : '可用、已用与过期的券 ›'}
        url={routes.wallet}
      />
      <LinkItem
        testId='card-points-link'
        title='我的积分'
        meta='积分批次、过期时间与明细 ›'
        url={routes.points}
      />
      <LinkItem
        testId='card-tier-link'
        title='会员等级'
        meta={
          card.tierProgress.nextTierName
            ? `再得 ${card.tierProgress.pointsToNext} 分升级${card.tierProgress.nextTierName} ›`
            : '已是最高等级 ›'
        }
        url={routes.tier}
      />
      <LinkItem
        testId='card-profile-link'
        title='我的资料'
        meta='资料、换绑确认、注销账户 ›'
        url={routes.profile}
      />

      <SwitchIdentityLink />
    </View>
  )
}
