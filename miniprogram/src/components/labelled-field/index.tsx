import { Input, Text, View } from '@tarojs/components'

export interface LabelledFieldProps {
  label: string
  value: string
  testId?: string
  type?: 'text' | 'number' | 'digit'
  placeholder?: string
  isReadOnly?: boolean
  onInput(value: string): void
}

/** One input with its label above it, as the console's forms lay out every field. */
export function LabelledField(props: LabelledFieldProps) {
  return (
    <View className='field'>
      <Text className='field__label'>{props.label}</Text>
      <Input
        className='field__input'
        data-testid={props.testId}
        type={props.type ?? 'text'}
        placeholder={props.placeholder}
        disabled={props.isReadOnly}
        value={props.value}
        onInput={(event) => props.onInput(event.detail.value)}
      />
    </View>
  )
}
