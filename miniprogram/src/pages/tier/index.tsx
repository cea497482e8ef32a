import { Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { tierInfoSchema, type TierInfo } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { callFunction } from '../../services/cloud'

/** The member's tier, what it gives, and how far the next one is. */
export default function TierPage() {
  const [info, setInfo] = useState<TierInfo | null>(null)
  const [error, setError] = useState<string | null>(null)

  useLoad(async () => {
    const result = await callFunction('member', { action: 'tier' }, tierInfoSchema)
    if (result.ok) setInfo(result.data)
    else setError(result.error.message)
  })

  const progress = info?.progress

  return (
    <View className='page' data-testid='tier-page'>
      {progress && (
        <View className='hero'>
          <Text className='hero__title' data-testid='tier-name'>
            {progress.name}
          </Text>
          <Text className='hero__subtitle'>
            近 12 个月累计 {progress.qualifyingPoints} 成长积分
          </Text>
          {progress.nextTierName && (
            <Text className='hero__subtitle'>
              再得 {progress.pointsToNext} 分升级为{progress.nextTierName}
            </Text>
          )}
          <Text className='hero__subtitle'>每年 {info.reviewDate} 按近 12 个月积分复核等级</Text>
        </View>
      )}

      {info && (
        <View className='section'>
          <Text className='section__title'>各等级权益</Text>
          {info.tiers.map((rule) => (
            <View key={rule.tier} className='list-item'>
              <View className='list-item__row'>
                <Text className='list-item__title'>{rule.name}</Text>
                <Text className='list-item__meta'>{rule.threshold} 分起</Text>
              </View>
              <Text className='list-item__meta'>
                积分 ×{rule.multiplierPercent / 100}
                {rule.birthdayGift ? ` · 生日礼遇：${rule.birthdayGift}` : ''}
              </Text>
            </View>
          ))}
        </View>
      )}

      <ErrorNotice message={error} testId='tier-error' />
    </View>
  )
}
