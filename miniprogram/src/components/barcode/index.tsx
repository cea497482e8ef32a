import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { memo, useMemo } from 'react'
import { appConfig } from '../../config'
import { makeCode128Runs } from '../../utils/code-patterns'

interface BarcodeProps {
  digits: string
  /** The widest the barcode may be, quiet zones included, in CSS pixels. */
  maxWidth: number
  height: number
  testId?: string
}

/** Two CSS pixels a module where the screen allows; a scanner reads that from a phone easily. */
const PREFERRED_MODULE_CSS_PX = 2

/**
 * The width of the narrowest bar: a whole number of device pixels, so that every bar has sharp
 * edges a scanner can read, and as wide as fits in `maxWidth` up to the preferred width. A narrow
 * phone gets thinner bars rather than a barcode cut off at the screen's edge.
 */
function fitModuleWidth(modules: number, maxWidth: number): number {
  const ratio = Taro.getSystemInfoSync().pixelRatio || 1
  const fitting = Math.floor((maxWidth * ratio) / modules)
  const devicePixels = Math.max(1, Math.min(fitting, PREFERRED_MODULE_CSS_PX * ratio))

  return devicePixels / ratio
}

function BarcodeView({ digits, maxWidth, height, testId }: BarcodeProps) {
  const runs = useMemo(() => makeCode128Runs(digits, appConfig.barcodeQuietZoneModules), [digits])
  const modules = runs.reduce((sum, run) => sum + run.length, 0)
  const moduleWidth = useMemo(() => fitModuleWidth(modules, maxWidth), [modules, maxWidth])

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
