import { Input, Text, View } from '@tarojs/components'

export interface LabelledFieldProps {
  label: string
  value: string
  testId?: string
  type?: 'text' | 'number' | 'digit'
  placeholder?: string
  maxLength?: number
  isReadOnly?: boolean
  onInput(value: string): void
}

/** One input with its label above it, as the pages lay out a field. */
export function LabelledField(props: LabelledFieldProps) {
  return (
    <View className='field'>
      <Text className='field__label'>{props.label}</Text>
      <Input
        className='field__input'
        data-testid={props.testId}
        type={props.type ?? 'text'}
        placeholder={props.placeholder}
        maxlength={props.maxLength}
        disabled={props.isReadOnly}
        value={props.value}
        onInput={(event) => props.onInput(event.detail.value)}
      />
    </View>
  )
}
