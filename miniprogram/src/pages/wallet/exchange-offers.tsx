import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { useEffect, useRef, useState } from 'react'
import {
  exchangeableCouponsSchema,
  exchangeResultSchema,
  type ExchangeableCoupon,
  type ExchangeableCoupons,
} from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { callFunction } from '../../services/cloud'
import { useRequestKey } from '../../services/request-key'
import { formatShanghaiMinute } from '../../utils/china-time'
import { describeBenefit, describeMinSpend } from './coupon-text'
import { ActionButton } from '../../components/action-button'

interface ExchangeOffersProps {
  /** Called after an exchange succeeded, so that the wallet lists the new coupon. */
  onExchanged(): void
}

function describeValidity(offer: ExchangeableCoupon): string {
  const until = formatShanghaiMinute(offer.validUntil)
  if (offer.validDays !== null) return `领取后 ${offer.validDays} 天内有效（至 ${until}）`

  return `${formatShanghaiMinute(offer.validFrom)} 至 ${until} 有效`
}

/** The coupons the member can take for points, each with its price and an 兑换 button. */
export function ExchangeOffers({ onExchanged }: ExchangeOffersProps) {
  const [offers, setOffers] = useState<ExchangeableCoupons | null>(null)
  const [exchanged, setExchanged] = useState<{ title: string; balance: number } | null>(null)
  const [isBusy, setIsBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const exchangeKey = useRequestKey('exchange')
  // The template the pending key was made for: a tap on another template is another intent.
  const keyTemplateId = useRef<string | null>(null)

  /** The first page of offers, or with `cursor` the next one added below those shown. */
  async function loadOffers(cursor?: string) {
    const result = await callFunction(
      'member',
      { action: 'exchangeable', ...(cursor ? { cursor } : {}) },
      exchangeableCouponsSchema,
    )
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setOffers((shown) =>
      cursor && shown
        ? { ...result.data, templates: [...shown.templates, ...result.data.templates] }
        : result.data,
    )
  }

  useEffect(() => {
    void loadOffers()
  }, [])

  async function exchange(offer: ExchangeableCoupon) {
    const { confirm } = await Taro.showModal({
      title: '积分兑换',
      content: `用 ${offer.exchangePoints} 积分兑换「${offer.title}」？`,
      confirmText: '确定兑换',
      cancelText: '再想想',
    })
    if (!confirm) return

    if (keyTemplateId.current !== offer.templateId) {
      exchangeKey.settle()
      keyTemplateId.current = offer.templateId
    }
    setIsBusy(true)
    const result = await callFunction(
      'member',
      { action: 'exchange', templateId: offer.templateId, exchangeNo: exchangeKey.current() },
      exchangeResultSchema,
    )
    setIsBusy(false)
    if (!result.ok) {
      setExchanged(null)
      setError(result.error.message)
      return
    }

    exchangeKey.settle()
    keyTemplateId.current = null
    setError(null)
    setExchanged({ title: offer.title, balance: result.data.balance })
    onExchanged()
    await loadOffers()
  }

  if (!offers) return null

  return (
    <View className='section' data-testid='exchange-offers'>
      <Text className='section__title'>
        积分兑换 · 可用 <Text data-testid='exchange-balance'>{offers.balance}</Text> 积分
      </Text>

      <ErrorNotice message={error} testId='exchange-error' />
      {exchanged && (
        <View className='result' data-testid='exchange-result'>
          <Text className='result__title'>兑换成功</Text>
          <Text>
            {exchanged.title} 已放入券包，剩余积分{' '}
            <Text data-testid='exchange-result-balance'>{exchanged.balance}</Text>
          </Text>
        </View>
      )}

      {offers.templates.length === 0 && !offers.nextCursor && (
        <Text className='muted'>暂时没有可兑换的券</Text>
      )}
      {offers.templates.map((offer) => (
        <View key={offer.templateId} className='list-item' data-testid='exchange-offer'>
          <View className='list-item__row'>
            <Text className='list-item__title'>{offer.title}</Text>
            <Text className='list-item__points'>{describeBenefit(offer)}</Text>
          </View>
          <Text className='list-item__meta'>
            {describeMinSpend(offer)} · {offer.places.description}
          </Text>
          <Text className='list-item__meta'>{describeValidity(offer)}</Text>
          <View className='list-item__row'>
            <Text className='list-item__amount'>{offer.exchangePoints} 积分</Text>
            <ActionButton
              className='button button--primary button--small'
              data-testid='exchange-button'
              disabled={isBusy || offers.balance < offer.exchangePoints}
              onClick={() => exchange(offer)}
            >
              {offers.balance < offer.exchangePoints ? '积分不足' : '兑换'}
            </ActionButton>
          </View>
        </View>
      ))}

      {offers.nextCursor && (
        <Button
          className='button button--ghost'
          data-testid='exchange-load-more'
          onClick={() => loadOffers(offers.nextCursor ?? undefined)}
        >
          更多
        </Button>
      )}
    </View>
  )
}
