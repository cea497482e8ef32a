import Taro from '@tarojs/taro'
import { cardSchema } from '../../../typings'
import { routes } from '../config'
import { callFunction, type CallError } from './cloud'
import { saveCachedCard } from './card-cache'

export type RouteParams = Partial<Record<string, string>>

/** The store whose QR brought the member: `?storeId=` or the weapp QR `scene`. */
export function readStoreIdFromParams(params: RouteParams): string | undefined {
  if (params.storeId) return params.storeId
  if (!params.scene) return undefined

  const scene = decodeURIComponent(params.scene)
  if (!scene.includes('=')) return scene

  const pairs = scene.split('&').map((pair) => pair.split('='))
  const storePair = pairs.find(([key]) => key === 'storeId')

  return storePair?.[1] || undefined
}

export function registerUrl(storeId: string | undefined) {
  return storeId ? `${routes.register}?storeId=${encodeURIComponent(storeId)}` : routes.register
}

/** Registration in its second role: showing new privacy terms to a member to accept again. */
export const reconsentUrl = `${routes.register}?reconsent=1`

/** Opens the card, or registration for a newcomer; answers the error when neither can open. */
export async function enterAsMember(
  params: RouteParams,
  open: 'navigate' | 'redirect',
): Promise<CallError | null> {
  const go = open === 'navigate' ? Taro.navigateTo : Taro.redirectTo
  const result = await callFunction('member', { action: 'card' }, cardSchema)

  if (result.ok) {
    saveCachedCard(result.data)
    await go({ url: routes.card })
    return null
  }

  if (result.error.code === 'NOT_REGISTERED') {
    await go({ url: registerUrl(readStoreIdFromParams(params)) })
    return null
  }

  if (result.error.code === 'CONSENT_OUTDATED') {
    await go({ url: reconsentUrl })
    return null
  }

  return result.error
}
