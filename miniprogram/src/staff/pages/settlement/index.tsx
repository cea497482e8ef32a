import { Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { staffProfileSchema, type StaffProfile } from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { SettlementView } from '../../../components/settlement-view'
import { SwitchIdentityLink } from '../../../components/switch-identity'
import { callFunction } from '../../../services/cloud'

/**
 * A store manager's monthly settlement of their own store: the same view HQ reads, through
 * `staff.settlement`, whose scope is the caller's store whatever the page sends.
 */
export default function StaffSettlementPage() {
  const [profile, setProfile] = useState<StaffProfile | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)

  useLoad(async () => {
    const me = await callFunction('staff', { action: 'me' }, staffProfileSchema)
    if (!me.ok) {
      setRefusal(me.error.message)
      return
    }
    // HQ and region managers settle in the coupons console, with every store of their scope.
    if (me.data.role !== 'store_manager') {
      setRefusal('本店结算供店长查看；总部与区域经理请在「优惠券与结算」查看门店结算。')
      return
    }

    setProfile(me.data)
  })

  if (refusal) {
    return (
      <View className='page page--center' data-testid='staff-settlement-page'>
        <ErrorNotice message={refusal} testId='staff-settlement-refused' />
        <SwitchIdentityLink />
      </View>
    )
  }

  return (
    <View className='page' data-testid='staff-settlement-page'>
      <View className='hero'>
        <Text className='hero__title'>{profile?.store?.name ?? '本店结算'}</Text>
        <Text className='hero__subtitle'>
          每月的券核销与积分往来：本店为他店核销、他店为本店核销，以及谁应付谁
        </Text>
      </View>
      {profile ? <SettlementView fn='staff' /> : <Text className='muted'>正在读取…</Text>}
    </View>
  )
}
