import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { isH5, routes } from '../../config'

/** Back to the local identity picker; only the h5 preview has one, WeChat names the caller. */
export function SwitchIdentityLink() {
  if (!isH5) return null

  return (
    <View
      className='link'
      data-testid='switch-identity'
      onClick={() => Taro.reLaunch({ url: routes.index })}
    >
      切换身份
    </View>
  )
}
