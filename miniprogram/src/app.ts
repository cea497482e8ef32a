import Taro from '@tarojs/taro'
import type { PropsWithChildren } from 'react'
import { appConfig } from './config'
import './app.css'

if (process.env.TARO_ENV === 'weapp') {
  Taro.cloud.init(
    appConfig.cloudEnvId ? { env: appConfig.cloudEnvId, traceUser: true } : { traceUser: true },
  )
}

function App({ children }: PropsWithChildren) {
  return children
}

export default App
