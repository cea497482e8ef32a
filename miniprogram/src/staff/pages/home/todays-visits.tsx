import { Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import { z } from 'zod'
import { storeVisitSchema, type StoreVisit } from '../../../../../typings'
import { callFunction } from '../../../services/cloud'
import { formatShanghaiMinute } from '../../../utils/china-time'
import { formatFen } from '../../../utils/money'

/** The store's visits of today, reloaded whenever `refreshKey` changes (after each purchase). */
export function TodaysVisits({ refreshKey }: { refreshKey: string | null }) {
  const [visits, setVisits] = useState<StoreVisit[] | null>(null)

  useEffect(() => {
    void (async () => {
      const result = await callFunction(
        'staff',
        { action: 'todayVisits' },
        z.array(storeVisitSchema),
      )
      setVisits(result.ok ? result.data : null)
    })()
  }, [refreshKey])

  if (!visits) return null

  const totalFen = visits.reduce((sum, visit) => sum + visit.amountFen - visit.refundedFen, 0)

  return (
    <View className='section' data-testid='todays-visits'>
      <Text className='section__title'>
        今日到店 {visits.length} 笔 · {formatFen(totalFen)}
      </Text>
      {visits.map((visit) => (
        <View key={visit.visitId} className='list-item' data-testid='todays-visit'>
          <Text className='list-item__title'>
            {formatShanghaiMinute(visit.at).slice(11)} · {formatFen(visit.amountFen)}
          </Text>
          <Text className='list-item__meta'>
            订单 {visit.orderNo} · 积分 +{visit.pointsEarned}
            {visit.refundedFen > 0 ? ` · 已退 ${formatFen(visit.refundedFen)}` : ''}
          </Text>
        </View>
      ))}
    </View>
  )
}
