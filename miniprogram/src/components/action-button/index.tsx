import { Button, type ButtonProps } from '@tarojs/components'

/**
 * A button whose `disabled` also stops its handler. Taro's h5 Button greys out when disabled but
 * still delivers the tap, so a page that disables a button while its request is in flight, or
 * once the one purchase of a scan is recorded, would still send the request again.
 */
export function ActionButton({ disabled, onClick, ...props }: ButtonProps) {
  return <Button {...props} disabled={disabled} onClick={disabled ? undefined : onClick} />
}
