import { Button, Input, Picker, ScrollView, Text, View } from '@tarojs/components'
import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import { registerResultSchema, termsSchema, type Terms } from '../../../../typings'
import { ErrorNotice } from '../../components/notice'
import { isWeapp, routes } from '../../config'
import { saveCachedCard } from '../../services/card-cache'
import { callFunction } from '../../services/cloud'
import { requestLocalPhoneCode } from '../../services/dev-api'
import { readStoreIdFromParams } from '../../services/member-entry'

const CHINA_MOBILE_PATTERN = /^1\d{10}$/

function todayIsoDate() {
  return new Date().toISOString().slice(0, 10)
}

export default function RegisterPage() {
  const router = useRouter()
  const storeId = readStoreIdFromParams(router.params)
  const [terms, setTerms] = useState<Terms | null>(null)
  const [hasConsented, setHasConsented] = useState(false)
  const [name, setName] = useState('')
  const [birthday, setBirthday] = useState('')
  const [phone, setPhone] = useState('')
  const [phoneCode, setPhoneCode] = useState<string | null>(null)
  const [isSubmitting, setIsSubmitting] = useState(false)
  const [error, setError] = useState<string | null>(null)

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
      return
    }

    saveCachedCard(result.data.card)
    await Taro.redirectTo({ url: routes.card })
  }

  async function fetchLocalPhoneCode() {
    if (!CHINA_MOBILE_PATTERN.test(phone.trim())) {
      setError('请输入 11 位手机号')
      return
    }

    setError(null)
    try {
      setPhoneCode(await requestLocalPhoneCode(phone.trim()))
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

  return (
    <View className='page' data-testid='register-page'>
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

      <View className='section'>
        <Text className='section__title'>个人信息（选填）</Text>
        <View className='field'>
          <Text className='field__label'>称呼</Text>
          <Input
            className='field__input'
            data-testid='name-input'
            placeholder='怎么称呼您'
            maxlength={32}
            value={name}
            onInput={(event) => setName(event.detail.value)}
          />
        </View>
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
          <Button
            className='button button--primary'
            openType='getPhoneNumber'
            disabled={!terms || !hasConsented || isSubmitting}
            loading={isSubmitting}
            onGetPhoneNumber={onWeChatPhoneNumber}
          >
            微信手机号一键注册
          </Button>
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
            <Button
              className='button button--primary'
              data-testid='register-submit'
              disabled={!terms || !phoneCode || isSubmitting}
              loading={isSubmitting}
              onClick={() => phoneCode && register(phoneCode)}
            >
              注册会员
            </Button>
          </View>
        )}
      </View>

      <ErrorNotice message={error} testId='register-error' />
      {storeId && <Text className='muted'>注册门店：{storeId}</Text>}
    </View>
  )
}
