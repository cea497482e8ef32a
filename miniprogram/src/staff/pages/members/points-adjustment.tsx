import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import { adjustResultSchema, type MemberView } from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { useRequestKey } from '../../../services/request-key'
import { formatPhoneForPeople } from '../../../utils/phone-text'
import { ActionButton } from '../../../components/action-button'

interface PointsAdjustmentProps {
  member: MemberView
  onAdjusted(balance: number): void
}

/**
 * An HQ admin's goodwill or correction of one member's points, with its reason; the function
 * audits it. The adjustment number makes a second tap after a lost answer the same adjustment,
 * so the points change once; a changed amount or reason is another adjustment, with a new number.
 */
export function PointsAdjustment({ member, onAdjusted }: PointsAdjustmentProps) {
  const [pointsText, setPointsText] = useState('')
  const [reason, setReason] = useState('')
  const [isBusy, setIsBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const adjustmentKey = useRequestKey('adjust')

  function edit(set: (value: string) => void, value: string) {
    adjustmentKey.settle()
    set(value)
  }

  async function adjust() {
    const written = pointsText.trim()
    const points = Number(written)
    if (!/^[+-]?\d+$/.test(written) || points === 0) {
      setError('请输入要调整的整数积分，扣减写负数，如 -50')
      return
    }
    if (reason.trim().length < 2) {
      setError('请填写调整原因')
      return
    }

    setIsBusy(true)
    const event = {
      action: 'adjustPoints' as const,
      memberId: member.memberId,
      points,
      reason: reason.trim(),
      adjustmentNo: adjustmentKey.current(),
    }
    const result = await callFunction('hq', event, adjustResultSchema)
    setIsBusy(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    adjustmentKey.settle()
    setError(null)
    setPointsText('')
    setReason('')
    onAdjusted(result.data.balance)
  }

  const phoneText = formatPhoneForPeople(member.phone)

  return (
    <View className='section' data-testid='points-adjustment'>
      <Text className='section__title'>调整积分</Text>
      <Text className='muted'>
        {phoneText} · 现有 {member.points} 积分；增加的积分与消费所得一样会过期，不计入等级
      </Text>
      <View className='field'>
        <Input
          className='field__input'
          data-testid='adjust-points-input'
          type='text'
          placeholder='积分，增加写正数，扣减写负数'
          value={pointsText}
          onInput={(event) => edit(setPointsText, event.detail.value)}
        />
      </View>
      <View className='field'>
        <Input
          className='field__input'
          data-testid='adjust-reason-input'
          type='text'
          placeholder='原因，如 门店服务补偿'
          value={reason}
          onInput={(event) => edit(setReason, event.detail.value)}
        />
      </View>
      <ErrorNotice message={error} testId='adjust-error' />
      <ActionButton
        className='button button--primary'
        data-testid='adjust-submit'
        disabled={isBusy}
        onClick={adjust}
      >
        确认调整
      </ActionButton>
    </View>
  )
}
