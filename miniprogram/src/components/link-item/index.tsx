import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'

interface LinkItemProps {
  title: string
  meta: string
  url: string
  testId: string
}

/** One row of a page's menu: what it opens and a line on what is there. */
export function LinkItem({ title, meta, url, testId }: LinkItemProps) {
  return (
    <View
      className='list-item list-item--action'
      data-testid={testId}
      onClick={() => Taro.navigateTo({ url })}
    >
      <Text className='list-item__title'>{title}</Text>
      <Text className='list-item__meta'>{meta}</Text>
    </View>
  )
}
