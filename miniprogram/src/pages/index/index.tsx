import { Button, Text, View } from '@tarojs/components'
import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import type { Role } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { isH5, routes } from '../../config'
import { fetchLocalIdentities } from '../../services/dev-api'
import {
  isStaffRole,
  makeNewMemberIdentity,
  readLocalIdentity,
  saveLocalIdentity,
  type LocalIdentity,
} from '../../services/identity'
import { enterAsMember } from '../../services/member-entry'
import { LabelledField } from '../../components/labelled-field'

const roleTitles: Record<Role, string> = {
  member: '会员',
  clerk: '店员',
  store_manager: '店长',
  region_manager: '区域经理',
  hq_admin: '总部管理员',
  hq_analyst: '总部分析师',
}

// The few identities most people come for first; the ~600 of the stores after them.
const roleOrder: Role[] = [
  'hq_admin',
  'hq_analyst',
  'region_manager',
  'member',
  'store_manager',
  'clerk',
]

/** `上海市 · 鲜邻超市·徐汇区店`, `华东`, `总部`, a member's phone: who an identity is, in short. */
function describePlace(identity: LocalIdentity): string {
  if (identity.storeId) {
    return [identity.city, identity.storeName ?? identity.storeId].filter(Boolean).join(' · ')
  }
  if (identity.regionId) return identity.regionName ?? identity.regionId

  if (identity.role.startsWith('hq_')) return '总部'

  // A member named by their masked phone shows it once, as the name.
  return identity.maskedPhone && identity.maskedPhone !== identity.name ? identity.maskedPhone : ''
}

/** Matches every word typed: names, places, the role's title, and phone digits without the mask. */
function matchesSearch(identity: LocalIdentity, words: string[]): boolean {
  const phoneDigits = (identity.maskedPhone ?? '').replace(/\D/g, '')
  const haystack = [
    identity.name,
    roleTitles[identity.role],
    describePlace(identity),
    identity.regionName,
    identity.maskedPhone,
    phoneDigits,
    identity.openid,
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase()

  return words.every((word) => haystack.includes(word))
}

/** In WeChat the caller is already known: open the card, or registration for a newcomer. */
function MemberEntry() {
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)

  useLoad(async () => {
    const failure = await enterAsMember(router.params, 'redirect')
    if (failure) setError(failure.message)
  })

  return (
    <View className='page page--center'>
      <Text className='muted'>{error ? '' : '正在打开会员卡…'}</Text>
      <ErrorNotice message={error} testId='entry-error' />
      <Button
        className='button button--ghost'
        onClick={() => Taro.navigateTo({ url: routes.staffHome })}
      >
        门店员工入口
      </Button>
    </View>
  )
}

/** The local cloud's stand-in for WeChat login: choose who the browser is. */
function IdentityPicker() {
  const router = useRouter()
  const [identities, setIdentities] = useState<LocalIdentity[]>([])
  const [current, setCurrent] = useState<LocalIdentity | null>(null)
  const [isLoading, setIsLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [searchText, setSearchText] = useState('')

  useLoad(async () => {
    setCurrent(readLocalIdentity())
    try {
      setIdentities(await fetchLocalIdentities())
    } catch (cause) {
      console.warn('[identity-picker] identities unavailable', { cause })
      setError('无法读取本地身份列表，请确认本地云已启动')
    }
    setIsLoading(false)
  })

  async function choose(identity: LocalIdentity) {
    saveLocalIdentity(identity)
    setCurrent(identity)
    setError(null)

    if (isStaffRole(identity.role)) {
      await Taro.navigateTo({ url: routes.staffHome })
      return
    }

    const failure = await enterAsMember(router.params, 'navigate')
    if (failure) setError(failure.message)
  }

  const words = searchText.trim().toLowerCase().split(/\s+/).filter(Boolean)
  const found = identities.filter((identity) => matchesSearch(identity, words))
  const groups = roleOrder
    .map((role) => ({ role, members: found.filter((identity) => identity.role === role) }))
    .filter((group) => group.members.length > 0)

  return (
    <View className='page' data-testid='identity-picker'>
      <View className='hero'>
        <Text className='hero__title'>通卡 · 本地预览</Text>
        <Text className='hero__subtitle'>选择一个身份进入，代替微信登录</Text>
        {current && (
          <Text className='hero__subtitle' data-testid='identity-current'>
            当前：{current.name}（{roleTitles[current.role]}）
          </Text>
        )}
      </View>

      <ErrorNotice message={error} testId='identity-error' />

      <View className='section'>
        <Text className='section__title'>新会员</Text>
        <View
          className='list-item list-item--action'
          data-testid='identity-new-member'
          onClick={() => choose(makeNewMemberIdentity())}
        >
          <Text className='list-item__title'>新会员（新的微信号）</Text>
          <Text className='list-item__meta'>随机生成一个 openid，从注册开始</Text>
        </View>
      </View>

      <View className='section'>
        <LabelledField
          label='搜索'
          testId='identity-search'
          placeholder='门店、城市、角色或手机号'
          value={searchText}
          onInput={(value) => setSearchText(value)}
        />
        {words.length > 0 && !isLoading && (
          <Text className='muted' data-testid='identity-search-count'>
            找到 {found.length} 个身份
          </Text>
        )}
      </View>

      {isLoading && <Text className='muted'>正在加载身份…</Text>}

      {groups.map((group) => (
        <View key={group.role} className='section' data-testid={`identity-group-${group.role}`}>
          <Text className='section__title'>{roleTitles[group.role]}</Text>
          {group.members.map((identity) => (
            <View
              key={identity.openid}
              className='list-item list-item--action'
              data-testid='identity-option'
              data-openid={identity.openid}
              data-role={identity.role}
              onClick={() => choose(identity)}
            >
              <Text className='list-item__title'>{identity.name}</Text>
              <Text className='list-item__meta'>
                {[describePlace(identity), identity.openid].filter(Boolean).join(' · ')}
              </Text>
            </View>
          ))}
        </View>
      ))}
    </View>
  )
}

export default function IndexPage() {
  return isH5 ? <IdentityPicker /> : <MemberEntry />
}
