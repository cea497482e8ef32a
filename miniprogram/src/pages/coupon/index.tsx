import { Text, View } from '@tarojs/components'
import { useLoad, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import { walletCouponAnswerSchema, type WalletCoupon } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { callFunction } from '../../services/cloud'
import { formatShanghaiMinute } from '../../utils/china-time'
import { describeBenefit, describeMinSpend, statusNames } from '../wallet/coupon-text'

/**
 * One coupon in full. No QR code: the counter redeems it after scanning the member's card code,
 * so the member only shows the card.
 */
export default function CouponPage() {
  const router = useRouter()
  const [coupon, setCoupon] = useState<WalletCoupon | null>(null)
  const [error, setError] = useState<string | null>(null)

  useLoad(async () => {
    const couponId = router.params.id
    if (!couponId) {
      setError('没有找到这张券')
      return
    }

    // By id, not from the wallet: the wallet comes a page at a time.
    const event = { action: 'coupon' as const, couponId }
    const result = await callFunction('member', event, walletCouponAnswerSchema)
    if (result.ok) setCoupon(result.data.coupon)
    else setError(result.error.message)
  })

  return (
    <View className='page' data-testid='coupon-page'>
      <ErrorNotice message={error} testId='coupon-error' />
      {coupon && (
        <View className='stack'>
          <View className='hero'>
            <Text className='hero__title'>{coupon.title}</Text>
            <Text className='hero__subtitle'>{describeBenefit(coupon)}</Text>
          </View>

          <View className='list-item'>
            <View className='list-item__row'>
              <Text className='list-item__title'>使用条件</Text>
              <Text className='badge' data-testid='coupon-status'>
                {statusNames[coupon.status]}
              </Text>
            </View>
            <Text className='list-item__meta'>{describeMinSpend(coupon)}</Text>
            <Text className='list-item__meta'>
              {formatShanghaiMinute(coupon.validFrom)} 至 {formatShanghaiMinute(coupon.validUntil)}
            </Text>
            {coupon.redeemed && (
              <Text className='list-item__meta'>
                已于 {formatShanghaiMinute(coupon.redeemed.at)} 在 {coupon.redeemed.store?.name}{' '}
                使用
              </Text>
            )}
          </View>

          <View className='section'>
            <Text className='section__title'>适用门店</Text>
            <View className='list-item'>
              <Text className='list-item__title'>{coupon.places.description}</Text>
              {coupon.places.stores.map((store) => (
                <Text key={store.storeId} className='list-item__meta'>
                  {store.name}（{store.city}
                  {store.district}）
                </Text>
              ))}
            </View>
          </View>

          <Text className='muted'>使用时向店员出示会员码即可</Text>
        </View>
      )}
    </View>
  )
}
