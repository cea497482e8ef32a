/// <reference types="@tarojs/taro" />

declare module '*.css'

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5' | 'swan' | 'alipay' | 'tt' | 'qq' | 'jd' | 'harmony' | 'rn'
    TARO_APP_CLOUD_ENV?: string
  }
}

declare module 'qrcode/lib/core/qrcode' {
  export interface BitMatrix {
    size: number
    get(row: number, column: number): boolean | number
  }

  export function create(
    text: string,
    options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' },
  ): { modules: BitMatrix }
}

declare module 'jsbarcode/bin/barcodes/CODE128/CODE128C' {
  export default class CODE128C {
    constructor(data: string, options: { ean128?: boolean })
    valid(): boolean
    encode(): { data: string; text: string }
  }
}
