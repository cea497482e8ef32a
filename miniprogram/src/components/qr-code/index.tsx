import { View } from '@tarojs/components'
import { memo, useMemo } from 'react'
import { appConfig } from '../../config'
import { makeQrRows } from '../../utils/code-patterns'

interface QrCodeProps {
  text: string
  /** Size of one module in CSS pixels. */
  moduleSize: number
  testId?: string
}

/** Views instead of a canvas, so the same code draws in WeChat and in the browser. */
function QrCodeView({ text, moduleSize, testId }: QrCodeProps) {
  const rows = useMemo(() => makeQrRows(text, appConfig.qrQuietZoneModules), [text])

  return (
    <View className='qr-code' data-testid={testId} data-text={text}>
      {rows.map((runs, rowIndex) => (
        <View key={rowIndex} className='qr-code__row' style={{ height: `${moduleSize}px` }}>
          {runs.map((run, runIndex) => (
            <View
              key={runIndex}
              className={run.isDark ? 'qr-code__dark' : 'qr-code__light'}
              style={{ width: `${run.length * moduleSize}px`, height: `${moduleSize}px` }}
            />
          ))}
        </View>
      ))}
    </View>
  )
}

export const QrCode = memo(QrCodeView)
