import { Button, Picker, Text, View } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import {
  deletionResultSchema,
  genderNames,
  pendingRebindsSchema,
  profileSchema,
  rebindCancelledSchema,
  rebindResultSchema,
  storeListSchema,
  type Gender,
  type PendingRebinds,
  type Profile,
  type StoreRef,
} from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { SwitchIdentityLink } from '../../components/switch-identity'
import { routes } from '../../config'
import { clearCachedCard } from '../../services/card-cache'
import { callFunction, type CallError } from '../../services/cloud'
import { reconsentUrl, registerUrl } from '../../services/member-entry'
import { ActionButton } from '../../components/action-button'
import { LabelledField } from '../../components/labelled-field'

const genders = Object.keys(genderNames) as Gender[]

function todayIsoDate() {
  return new Date().toISOString().slice(0, 10)
}

/** The member's own page: profile, rebind requests from a new WeChat account, deletion. */
export default function ProfilePage() {
  const [profile, setProfile] = useState<Profile | null>(null)
  const [rebinds, setRebinds] = useState<PendingRebinds['requests']>([])
  const [name, setName] = useState('')
  const [birthday, setBirthday] = useState('')
  const [gender, setGender] = useState<Gender | null>(null)
  const [preferredStoreId, setPreferredStoreId] = useState('')
  const [stores, setStores] = useState<StoreRef[]>([])
  const [isBusy, setIsBusy] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function leaveOn(failure: CallError): Promise<boolean> {
    if (failure.code === 'NOT_REGISTERED') await Taro.redirectTo({ url: registerUrl(undefined) })
    else if (failure.code === 'CONSENT_OUTDATED') await Taro.redirectTo({ url: reconsentUrl })
    else return false

    return true
  }

  function show(loaded: Profile) {
    setProfile(loaded)
    setName(loaded.name ?? '')
    setBirthday(loaded.birthday ?? '')
    setGender(loaded.gender)
    setPreferredStoreId(loaded.preferredStore?.storeId ?? '')
  }

  async function load() {
    const result = await callFunction('member', { action: 'profile' }, profileSchema)
    if (!result.ok) {
      if (!(await leaveOn(result.error))) setError(result.error.message)
      return
    }

    show(result.data)
    const pending = await callFunction('member', { action: 'pendingRebinds' }, pendingRebindsSchema)
    if (pending.ok) setRebinds(pending.data.requests)
    const chain = await callFunction('member', { action: 'stores' }, storeListSchema)
    if (chain.ok) setStores(chain.data.stores)
  }

  useDidShow(() => {
    void load()
  })

  async function save() {
    setIsBusy(true)
    setError(null)
    setNotice(null)
    const trimmedName = name.trim()
    const trimmedStore = preferredStoreId.trim()
    const result = await callFunction(
      'member',
      {
        action: 'updateProfile',
        name: trimmedName || null,
        birthday: birthday || null,
        gender,
        preferredStoreId: trimmedStore || null,
      },
      profileSchema,
    )
    setIsBusy(false)

    if (!result.ok) {
      setError(result.error.message)
      return
    }

    show(result.data)
    setNotice('资料已保存')
  }

  async function answerRebind(ticket: string, isConfirmed: boolean) {
    setError(null)
    setNotice(null)
    const result = isConfirmed
      ? await callFunction('member', { action: 'confirmRebind', ticket }, rebindResultSchema)
      : await callFunction('member', { action: 'cancelRebind', ticket }, rebindCancelledSchema)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    if (isConfirmed) {
      // This WeChat account no longer holds the card: keep no copy of its secret here.
      clearCachedCard()
      await Taro.reLaunch({ url: routes.index })
      return
    }

    setRebinds(rebinds.filter((request) => request.ticket !== ticket))
  }

  async function deleteAccount() {
    const { confirm } = await Taro.showModal({
      title: '注销会员账户',
      content: '注销后手机号、姓名、生日和微信绑定立即删除，积分与优惠券作废且无法恢复。确定注销？',
      confirmText: '确定注销',
      confirmColor: '#b91c1c',
      cancelText: '再想想',
    })
    if (!confirm) return

    setError(null)
    setNotice(null)
    setIsBusy(true)
    const result = await callFunction('member', { action: 'deleteAccount' }, deletionResultSchema)
    setIsBusy(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    clearCachedCard()
    await Taro.reLaunch({ url: `${routes.register}?deleted=1` })
  }

  if (!profile) {
    return (
      <View className='page page--center' data-testid='profile-page'>
        <Text className='muted'>{error ? '' : '正在加载资料…'}</Text>
        <ErrorNotice message={error} testId='profile-error' />
      </View>
    )
  }

  return (
    <View className='page' data-testid='profile-page'>
      <View className='section'>
        <Text className='section__title'>我的资料</Text>
        <View className='field'>
          <Text className='field__label'>手机号</Text>
          <Text className='field__value' data-testid='profile-phone'>
            {profile.maskedPhone}
          </Text>
        </View>
        <LabelledField
          label='称呼'
          testId='profile-name-input'
          placeholder='怎么称呼您'
          maxLength={32}
          value={name}
          onInput={(value) => setName(value)}
        />
        <Picker
          mode='date'
          value={birthday.length === 10 ? birthday : '1990-01-01'}
          end={todayIsoDate()}
          onChange={(event) => setBirthday(String(event.detail.value))}
        >
          <View className='field' data-testid='profile-birthday-picker'>
            <Text className='field__label'>生日</Text>
            <Text className={birthday ? 'field__value' : 'field__placeholder'}>
              {birthday || '选择生日'}
            </Text>
          </View>
        </Picker>
        <View className='field'>
          <Text className='field__label'>性别</Text>
          <View className='choice-row'>
            {genders.map((option) => (
              <Text
                key={option}
                className={`choice ${gender === option ? 'choice--selected' : ''}`}
                data-testid={`profile-gender-${option}`}
                onClick={() => setGender(gender === option ? null : option)}
              >
                {genderNames[option]}
              </Text>
            ))}
          </View>
        </View>
        <View className='field'>
          <Text className='field__label'>常去门店</Text>
          <Picker
            mode='selector'
            range={stores.map((store) => `${store.city} · ${store.name}`)}
            value={Math.max(
              0,
              stores.findIndex((store) => store.storeId === preferredStoreId),
            )}
            onChange={(event) => setPreferredStoreId(stores[Number(event.detail.value)].storeId)}
          >
            <View className='field__input' data-testid='profile-store-picker'>
              {stores.find((store) => store.storeId === preferredStoreId)?.name ?? '选择门店'}
            </View>
          </Picker>
        </View>
        <Text className='muted' data-testid='profile-home-store'>
          开卡门店：{profile.homeStore ? profile.homeStore.name : '—'}
        </Text>
        <ActionButton
          className='button button--primary'
          data-testid='profile-save'
          disabled={isBusy}
          onClick={save}
        >
          保存
        </ActionButton>
      </View>

      {notice && (
        <Text className='notice notice--ok' data-testid='profile-notice'>
          {notice}
        </Text>
      )}
      <ErrorNotice message={error} testId='profile-error' />

      {rebinds.length > 0 && (
        <View className='section' data-testid='profile-rebinds'>
          <Text className='section__title'>换绑申请</Text>
          <Text className='muted'>
            有新的微信账号申请接管你的会员卡。是你本人换了微信才确认；不是你，请拒绝。
          </Text>
          {rebinds.map((request) => (
            <View key={request.ticket} className='list-item'>
              <Text className='list-item__meta'>申请时间 {request.requestedAt.slice(0, 16)}</Text>
              <View className='button-row'>
                <Button
                  className='button button--small'
                  data-testid='rebind-confirm'
                  onClick={() => answerRebind(request.ticket, true)}
                >
                  确认换绑
                </Button>
                <Button
                  className='button button--small button--danger'
                  data-testid='rebind-cancel'
                  onClick={() => answerRebind(request.ticket, false)}
                >
                  拒绝
                </Button>
              </View>
            </View>
          ))}
        </View>
      )}

      <View className='section'>
        <Text className='section__title'>隐私</Text>
        <Text className='muted'>
          已同意隐私条款 {profile.consent.version} 版（{profile.consent.acceptedAt.slice(0, 10)}）
        </Text>
        <ActionButton
          className='button button--danger'
          data-testid='profile-delete'
          disabled={isBusy}
          onClick={deleteAccount}
        >
          注销账户
        </ActionButton>
      </View>

      <SwitchIdentityLink />
    </View>
  )
}
