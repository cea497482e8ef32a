import { Text } from '@tarojs/components'

interface NoticeProps {
  message: string | null
  testId?: string
}

export function ErrorNotice({ message, testId }: NoticeProps) {
  if (!message) return null

  return (
    <Text className='notice notice--error' data-testid={testId}>
      {message}
    </Text>
  )
}

/** What the last action did, in green; the page clears it when the next action starts. */
export function OkNotice({ message, testId }: NoticeProps) {
  if (!message) return null

  return (
    <Text className='notice notice--ok' data-testid={testId}>
      {message}
    </Text>
  )
}
