import Taro from '@tarojs/taro'
import { cardSchema, type Card } from '../../../typings'
import { appConfig } from '../config'
import { readLocalIdentity } from './identity'

/** The last card, so that the member can show a code at a counter without network. */

function cacheKey() {
  const identity = readLocalIdentity()

  return identity ? `${appConfig.cardCacheKey}.${identity.openid}` : appConfig.cardCacheKey
}

export function saveCachedCard(card: Card) {
  Taro.setStorageSync(cacheKey(), JSON.stringify(card))
}

export function readCachedCard(): Card | null {
  const stored: unknown = Taro.getStorageSync(cacheKey())
  if (typeof stored !== 'string' || !stored) return null

  try {
    const parsed = cardSchema.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** After the account is deleted the phone must not keep the card, nor its secret. */
export function clearCachedCard() {
  Taro.removeStorageSync(cacheKey())
}
