import { Text, View } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useRef, useState } from 'react'
import { walletSchema, type CouponStatus, type WalletCoupon } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { routes } from '../../config'
import { callFunction } from '../../services/cloud'
import { formatShanghaiMinute } from '../../utils/china-time'
import { describeBenefit, describeMinSpend, statusNames } from './coupon-text'
import { ExchangeOffers } from './exchange-offers'
import { ActionButton } from '../../components/action-button'

const tabs: CouponStatus[] = ['usable', 'used', 'expired']

/**
 * The member's coupons by status, each with where it works and until when, and below them the
 * coupons they can take for points.
 */
export default function WalletPage() {
  const [status, setStatus] = useState<CouponStatus>('usable')
  const [coupons, setCoupons] = useState<WalletCoupon[] | null>(null)
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [isLoading, setIsLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // The tab last asked for: a page that arrives after another tab was chosen is dropped.
  const shownStatus = useRef<CouponStatus>(status)

  /** The first page of a tab, or with `cursor` the next page of the tab shown. */
  async function load(next: CouponStatus, cursor?: string) {
    shownStatus.current = next
    setStatus(next)
    setIsLoading(true)
    const event = { action: 'coupons' as const, status: next, ...(cursor ? { cursor } : {}) }
    const result = await callFunction('member', event, walletSchema)
    if (shownStatus.current !== next) return

    setIsLoading(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    setCoupons((shown) =>
      cursor && shown ? [...shown, ...result.data.coupons] : result.data.coupons,
    )
    setNextCursor(result.data.nextCursor)
  }

  useDidShow(() => {
    void load(status)
  })

  return (
    <View className='page' data-testid='wallet-page'>
      <View className='button-row'>
        {tabs.map((tab) => (
          <Text
            key={tab}
            className={tab === status ? 'badge' : 'muted'}
            data-testid={`wallet-tab-${tab}`}
            onClick={() => load(tab)}
          >
            {statusNames[tab]}
          </Text>
        ))}
      </View>

      <ErrorNotice message={error} testId='wallet-error' />

      {coupons?.length === 0 && <Text className='muted'>这里还没有券</Text>}
      {coupons?.map((coupon) => (
        <View
          key={coupon.couponId}
          className='list-item'
          data-testid='wallet-coupon'
          onClick={() => Taro.navigateTo({ url: `${routes.coupon}?id=${coupon.couponId}` })}
        >
          <View className='list-item__row'>
            <Text className='list-item__title'>{coupon.title}</Text>
            <Text className='list-item__points'>{describeBenefit(coupon)}</Text>
          </View>
          <Text className='list-item__meta'>
            {describeMinSpend(coupon)} · {coupon.places.description}
          </Text>
          <Text className='list-item__meta'>
            {coupon.redeemed
              ? `${formatShanghaiMinute(coupon.redeemed.at)} 用于 ${coupon.redeemed.store?.name ?? ''}`
              : `有效期至 ${formatShanghaiMinute(coupon.validUntil)}`}
          </Text>
        </View>
      ))}

      {nextCursor && (
        <ActionButton
          className='button button--ghost'
          data-testid='wallet-load-more'
          loading={isLoading}
          disabled={isLoading}
          onClick={() => load(status, nextCursor)}
        >
          更多
        </ActionButton>
      )}

      <ExchangeOffers onExchanged={() => load('usable')} />
    </View>
  )
}
