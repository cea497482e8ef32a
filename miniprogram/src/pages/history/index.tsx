import { Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { historySchema, type HistoryItem } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { callFunction } from '../../services/cloud'
import { formatShanghaiMinute } from '../../utils/china-time'
import { formatFen } from '../../utils/money'
import { ActionButton } from '../../components/action-button'

export default function HistoryPage() {
  const [items, setItems] = useState<HistoryItem[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [hasLoaded, setHasLoaded] = useState(false)
  const [isLoading, setIsLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function loadPage(cursor: string | null) {
    setIsLoading(true)
    const result = await callFunction(
      'member',
      cursor ? { action: 'history', cursor } : { action: 'history' },
      historySchema,
    )
    setIsLoading(false)
    setHasLoaded(true)

    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    setItems((previous) => (cursor ? [...previous, ...result.data.items] : result.data.items))
    setNextCursor(result.data.nextCursor)
  }

  useLoad(() => loadPage(null))

  return (
    <View className='page' data-testid='history-page'>
      {hasLoaded && items.length === 0 && !error && (
        <Text className='muted' data-testid='history-empty'>
          还没有消费记录
        </Text>
      )}

      {items.map((item) => (
        <View key={item.visitId} className='list-item' data-testid='history-item'>
          <View className='list-item__row'>
            <Text className='list-item__title'>{item.store.name}</Text>
            <Text className='list-item__amount'>¥{formatFen(item.amountFen)}</Text>
          </View>
          <View className='list-item__row'>
            <Text className='list-item__meta'>{formatShanghaiMinute(item.at)}</Text>
            <Text className='list-item__points'>+{item.pointsEarned} 积分</Text>
          </View>
          {item.refundedFen > 0 && (
            <View className='list-item__row' data-testid='history-refund'>
              <Text className='list-item__meta'>
                {item.refundedFen === item.amountFen ? '已全额退款' : '已部分退款'} ¥
                {formatFen(item.refundedFen)}
              </Text>
              <Text className='list-item__points'>
                {item.pointsReversed > 0 ? `退款扣回 ${item.pointsReversed} 积分` : '未扣积分'}
              </Text>
            </View>
          )}
        </View>
      ))}

      <ErrorNotice message={error} testId='history-error' />

      {nextCursor && (
        <ActionButton
          className='button button--ghost'
          data-testid='history-load-more'
          loading={isLoading}
          disabled={isLoading}
          onClick={() => loadPage(nextCursor)}
        >
          加载更多
        </ActionButton>
      )}
    </View>
  )
}
