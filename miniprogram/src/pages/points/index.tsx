import { Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { pointsDetailSchema, type PointsDetail } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { callFunction } from '../../services/cloud'
import { formatShanghaiLastDay, formatShanghaiMinute } from '../../utils/china-time'
import { ActionButton } from '../../components/action-button'

const entryTitles: Record<PointsDetail['entries'][number]['kind'], string> = {
  earn: '消费积分',
  spend: '积分抵扣',
  reversal: '退款扣回',
  expiry: '积分过期',
  adjust: '总部调整',
}

/** The member's open lots with their expiry, and every points movement at every store. */
export default function PointsPage() {
  const [detail, setDetail] = useState<PointsDetail | null>(null)
  const [isLoading, setIsLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function loadPage(cursor: string | null) {
    setIsLoading(true)
    const result = await callFunction(
      'member',
      cursor ? { action: 'points', cursor } : { action: 'points' },
      pointsDetailSchema,
    )
    setIsLoading(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    setDetail((previous) =>
      cursor && previous
        ? { ...result.data, entries: [...previous.entries, ...result.data.entries] }
        : result.data,
    )
  }

  useLoad(() => loadPage(null))

  return (
    <View className='page' data-testid='points-page'>
      {detail && (
        <View className='hero'>
          <Text className='hero__title' data-testid='points-balance'>
            {detail.balance} 积分
          </Text>
          {detail.expiringSoon > 0 && (
            <Text className='hero__subtitle'>其中 {detail.expiringSoon} 分将在 30 天内过期</Text>
          )}
        </View>
      )}

      {detail && detail.lots.length > 0 && (
        <View className='section'>
          <Text className='section__title'>可用积分</Text>
          {detail.lots.map((lot) => (
            <View key={lot.lotId} className='list-item' data-testid='points-lot'>
              <View className='list-item__row'>
                <Text className='list-item__title'>{lot.store?.name ?? '总部赠送'}</Text>
                <Text className='list-item__points'>
                  {lot.remaining}/{lot.points}
                </Text>
              </View>
              <Text className='list-item__meta'>
                {lot.expiresAt ? `${formatShanghaiLastDay(lot.expiresAt)} 到期` : '长期有效'}
              </Text>
            </View>
          ))}
        </View>
      )}

      {detail && (
        <View className='section'>
          <Text className='section__title'>积分明细</Text>
          {detail.entries.map((entry) => (
            <View key={entry.entryId} className='list-item' data-testid='points-entry'>
              <View className='list-item__row'>
                <Text className='list-item__title'>
                  {entryTitles[entry.kind]}
                  {entry.store ? ` · ${entry.store.name}` : ''}
                </Text>
                <Text className='list-item__points'>
                  {entry.delta > 0 ? `+${entry.delta}` : entry.delta}
                </Text>
              </View>
              <Text className='list-item__meta'>
                {formatShanghaiMinute(entry.at)}
                {entry.reason ? ` · ${entry.reason}` : ''}
              </Text>
            </View>
          ))}
        </View>
      )}

      <ErrorNotice message={error} testId='points-error' />

      {detail?.nextCursor && (
        <ActionButton
          className='button button--ghost'
          loading={isLoading}
          disabled={isLoading}
          onClick={() => loadPage(detail.nextCursor)}
        >
          加载更多
        </ActionButton>
      )}
    </View>
  )
}
