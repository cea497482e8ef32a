import { View } from '@tarojs/components'
import { memo, useMemo } from 'react'
import { appConfig } from '../../config'
import { makeCode128Runs } from '../../utils/code-patterns'

interface BarcodeProps {
  digits: string
  /** Width of the narrowest bar in CSS pixels. */
  moduleWidth: number
  height: number
  testId?: string
}

function BarcodeView({ digits, moduleWidth, height, testId }: BarcodeProps) {
  const runs = useMemo(() => makeCode128Runs(digits, appConfig.barcodeQuietZoneModules), [digits])

  return (
    <View className='barcode' data-testid={testId} data-text={digits}>
      {runs.map((run, index) => (
        <View
          key={index}
          className={run.isDark ? 'barcode__bar' : 'barcode__space'}
          style={{ width: `${run.length * moduleWidth}px`, height: `${height}px` }}
        />
      ))}
    </View>
  )
}

export const Barcode = memo(BarcodeView)
