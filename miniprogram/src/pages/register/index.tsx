import { Button, Input, Picker, ScrollView, Text, View } from '@tarojs/components'
import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile'
import {
  cardSchema,
  rebindRequestSchema,
  rebindResultSchema,
  registerResultSchema,
  termsSchema,
  type RebindRequest,
  type Terms,
} from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { appConfig, isWeapp, routes } from '../../config'
import { saveCachedCard } from '../../services/card-cache'
import { callFunction } from '../../services/cloud'
import { requestLocalPhoneCode } from '../../services/dev-api'
import { readStoreIdFromParams } from '../../services/member-entry'
import { ActionButton } from '../../components/action-button'
import { LabelledField } from '../../components/labelled-field'

/**
 * A mainland mobile number as the register function will accept it, as its 11 digits; null for
 * anything else. Eleven digits starting with 1 is not enough: 123 4567 8901 is no one's mobile,
 * and only 注册会员 would find that out.
 */
function readChinaMobile(typed: string): string | null {
  const parsed = parsePhoneNumberFromString(typed.trim(), 'CN')

  return parsed?.country === 'CN' && parsed.isValid() ? parsed.nationalNumber : null
}

function todayIsoDate() {
  return new Date().toISOString().slice(0, 10)
}

function readSavedRebind(): RebindRequest | null {
  const stored: unknown = Taro.getStorageSync(appConfig.rebindRequestKey)
  if (typeof stored !== 'string' || !stored) return null

  try {
    const parsed = rebindRequestSchema.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

type PhoneCodePurpose = 'register' | 'requestRebind' | 'finishRebind'

export default function RegisterPage() {
  const router = useRouter()
  const storeId = readStoreIdFromParams(router.params)
  // The same page asks a member to accept new terms, and greets someone who just left.
  const isReconsent = router.params.reconsent === '1'
  const isDeleted = router.params.deleted === '1'
  const [terms, setTerms] = useState<Terms | null>(null)
  const [hasConsented, setHasConsented] = useState(false)
  const [name, setName] = useState('')
  const [birthday, setBirthday] = useState('')
  const [phone, setPhone] = useState('')
  const [phoneCode, setPhoneCode] = useState<string | null>(null)
  const [isSubmitting, setIsSubmitting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [isRebindOffered, setIsRebindOffered] = useState(false)
  const [rebind, setRebind] = useState<RebindRequest | null>(() => readSavedRebind())

  useLoad(async () => {
    const result = await callFunction('member', { action: 'terms' }, termsSchema)
    if (result.ok) setTerms(result.data)
    else setError(result.error.message)
  })

  async function register(code: string) {
    if (!terms) return
    if (!hasConsented) {
      setError('请先阅读并同意隐私条款')
      return
    }

    setIsSubmitting(true)
    setError(null)
    const trimmedName = name.trim()
    const result = await callFunction(
      'member',
      {
        action: 'register',
        phoneCode: code,
        consentVersion: terms.version,
        ...(trimmedName ? { name: trimmedName } : {}),
        ...(birthday ? { birthday } : {}),
        ...(storeId ? { storeId } : {}),
      },
      registerResultSchema,
    )
    setIsSubmitting(false)

    if (!result.ok) {
      setError(result.error.message)
      setIsRebindOffered(result.error.code === 'PHONE_IN_USE')
      return
    }

    saveCachedCard(result.data.card)
    await Taro.redirectTo({ url: routes.card })
  }

  async function acceptNewTerms() {
    if (!terms || !hasConsented) {
      setError('请先阅读并同意隐私条款')
      return
    }

    setIsSubmitting(true)
    const version = terms.version
    const result = await callFunction('member', { action: 'acceptTerms', version }, cardSchema)
    setIsSubmitting(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    saveCachedCard(result.data)
    await Taro.redirectTo({ url: routes.card })
  }

  async function requestRebind(code: string) {
    setIsSubmitting(true)
    setError(null)
    const event = { action: 'requestRebind' as const, phoneCode: code }
    const result = await callFunction('member', event, rebindRequestSchema)
    setIsSubmitting(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setRebind(result.data)
    Taro.setStorageSync(appConfig.rebindRequestKey, JSON.stringify(result.data))
  }

  /** The old account is lost: a second phone proof, accepted after the cooling-off day. */
  async function finishRebind(code: string) {
    if (!rebind) return

    setIsSubmitting(true)
    setError(null)
    const event = { action: 'confirmRebind' as const, ticket: rebind.ticket, phoneCode: code }
    const result = await callFunction('member', event, rebindResultSchema)
    setIsSubmitting(false)
    if (!result.ok) {
      setError(result.error.message)
      if (result.error.code === 'REBIND_TICKET_INVALID') forgetRebind()
      return
    }

    forgetRebind()
    await Taro.redirectTo({ url: routes.card })
  }

  function forgetRebind() {
    setRebind(null)
    Taro.removeStorageSync(appConfig.rebindRequestKey)
  }

  function usePhoneCode(purpose: PhoneCodePurpose, code: string) {
    if (purpose === 'register') void register(code)
    else if (purpose === 'requestRebind') void requestRebind(code)
    else void finishRebind(code)
  }

  /** In h5 every purpose asks the local WeChat stand-in for a fresh code for the typed phone. */
  async function useLocalPhoneCode(purpose: PhoneCodePurpose) {
    try {
      usePhoneCode(purpose, await requestLocalPhoneCode(readChinaMobile(phone) ?? phone.trim()))
    } catch (cause) {
      console.warn('[register] local phone code unavailable', { cause })
      setError('获取验证失败，请稍后重试')
    }
  }

  function phoneButton(purpose: PhoneCodePurpose, label: string, testId: string) {
    if (isWeapp) {
      return (
        <ActionButton
          className='button button--small'
          openType='getPhoneNumber'
          disabled={isSubmitting}
          onGetPhoneNumber={(event) => {
            if (event.detail.code) usePhoneCode(purpose, event.detail.code)
            else setError('需要授权手机号才能换绑')
          }}
        >
          {label}
        </ActionButton>
      )
    }

    return (
      <ActionButton
        className='button button--small'
        data-testid={testId}
        disabled={isSubmitting || readChinaMobile(phone) === null}
        onClick={() => useLocalPhoneCode(purpose)}
      >
        {label}
      </ActionButton>
    )
  }

  async function fetchLocalPhoneCode() {
    const mobile = readChinaMobile(phone)
    if (!mobile) {
      setError(
        /^\d{11}$/.test(phone.trim()) ? '这不是有效的手机号，请检查号码' : '请输入 11 位手机号',
      )
      return
    }

    setError(null)
    try {
      setPhoneCode(await requestLocalPhoneCode(mobile))
    } catch (cause) {
      console.warn('[register] local phone code unavailable', { cause })
      setError('获取验证失败，请稍后重试')
    }
  }

  function onWeChatPhoneNumber(event: { detail: { code?: string; errMsg?: string } }) {
    if (!event.detail.code) {
      setError('需要授权手机号才能注册')
      return
    }

    void register(event.detail.code)
  }

  const termsSection = (
    <View className='section'>
      <Text className='section__title'>隐私条款{terms ? `（${terms.version}）` : ''}</Text>
      <ScrollView scrollY className='terms' data-testid='terms-text'>
        <Text>{terms ? terms.text : '正在加载条款…'}</Text>
      </ScrollView>
      <View
        className={`checkbox ${hasConsented ? 'checkbox--checked' : ''}`}
        data-testid='consent-checkbox'
        data-checked={hasConsented ? 'true' : 'false'}
        onClick={() => setHasConsented(!hasConsented)}
      >
        <View className='checkbox__box'>{hasConsented ? '✓' : ''}</View>
        <Text>我已阅读并同意隐私条款</Text>
      </View>
    </View>
  )

  if (isReconsent) {
    return (
      <View className='page' data-testid='reconsent-page'>
        <Text className='notice notice--error'>
          隐私条款已更新，请阅读并同意新版后继续使用会员卡
        </Text>
        {termsSection}
        <ActionButton
          className='button button--primary'
          data-testid='accept-terms'
          disabled={!terms || !hasConsented || isSubmitting}
          loading={isSubmitting}
          onClick={acceptNewTerms}
        >
          同意并继续
        </ActionButton>
        <ErrorNotice message={error} testId='register-error' />
      </View>
    )
  }

  return (
    <View className='page' data-testid='register-page'>
      {isDeleted && (
        <Text className='notice notice--ok' data-testid='register-deleted'>
          会员账户已注销，个人信息已删除。欢迎随时重新注册。
        </Text>
      )}
      {termsSection}

      <View className='section'>
        <Text className='section__title'>个人信息（选填）</Text>
        <LabelledField
          label='称呼'
          testId='name-input'
          placeholder='怎么称呼您'
          maxLength={32}
          value={name}
          onInput={(value) => setName(value)}
        />
        <Picker
          mode='date'
          value={birthday || '1990-01-01'}
          end={todayIsoDate()}
          onChange={(event) => setBirthday(String(event.detail.value))}
        >
          <View className='field' data-testid='birthday-picker'>
            <Text className='field__label'>生日</Text>
            <Text className={birthday ? 'field__value' : 'field__placeholder'}>
              {birthday || '选择生日'}
            </Text>
          </View>
        </Picker>
      </View>

      <View className='section'>
        <Text className='section__title'>手机号</Text>
        {isWeapp ? (
          <ActionButton
            className='button button--primary'
            openType='getPhoneNumber'
            disabled={!terms || !hasConsented || isSubmitting}
            loading={isSubmitting}
            onGetPhoneNumber={onWeChatPhoneNumber}
          >
            微信手机号一键注册
          </ActionButton>
        ) : (
          <View>
            <View className='field'>
              <Input
                className='field__input'
                data-testid='phone-input'
                type='number'
                placeholder='11 位手机号'
                maxlength={11}
                value={phone}
                onInput={(event) => {
                  setPhone(event.detail.value)
                  setPhoneCode(null)
                }}
              />
              <Button
                className='button button--small'
                data-testid='phone-code-button'
                onClick={fetchLocalPhoneCode}
              >
                {phoneCode ? '已验证' : '获取验证'}
              </Button>
            </View>
            <ActionButton
              className='button button--primary'
              data-testid='register-submit'
              disabled={!terms || !phoneCode || isSubmitting}
              loading={isSubmitting}
              onClick={() => phoneCode && register(phoneCode)}
            >
              注册会员
            </ActionButton>
          </View>
        )}
      </View>

      <ErrorNotice message={error} testId='register-error' />

      {(isRebindOffered || rebind) && (
        <View className='section' data-testid='rebind-section'>
          <Text className='section__title'>换绑到当前微信</Text>
          {rebind ? (
            <View>
              <Text className='muted' data-testid='rebind-requested'>
                已申请换绑 {rebind.maskedPhone}。请在原来的微信打开会员卡，进入“我的资料”确认。
                原微信已无法使用时，可在 {rebind.confirmableByPhoneFrom.slice(0, 16)}{' '}
                之后再次验证手机号完成换绑。
              </Text>
              {phoneButton('finishRebind', '再次验证手机号完成换绑', 'rebind-finish')}
            </View>
          ) : (
            <View>
              <Text className='muted'>
                这个手机号已是会员，绑定在另一个微信上。验证手机号后，可把会员卡换绑到当前微信。
              </Text>
              {phoneButton('requestRebind', '验证手机号并申请换绑', 'rebind-request')}
            </View>
          )}
        </View>
      )}
      {storeId && <Text className='muted'>注册门店：{storeId}</Text>}
    </View>
  )
}
