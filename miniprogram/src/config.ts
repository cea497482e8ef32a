/** Platform ids and settings; pages read them from here, never hard-code them. */
export const appConfig = {
  /** CloudBase environment id, set at build time; empty means the default environment. */
  cloudEnvId: process.env.TARO_APP_CLOUD_ENV ?? '',
  /** Same-origin prefix of the local cloud's HTTP gateway (h5 only). */
  localApiBase: '/api',
  /** Where the h5 build keeps the identity chosen in the local identity picker. */
  identityStorageKey: 'tongka.identity',
  /** Where the last card is kept so that the code can be shown without network. */
  cardCacheKey: 'tongka.card',
  /** Where a rebind request waits, so that the new account can finish it a day later. */
  rebindRequestKey: 'tongka.rebind',
  /** Quiet zone around the QR code in modules, as the QR standard asks. */
  qrQuietZoneModules: 4,
  /** Quiet zone on each side of the Code 128 barcode, in modules. */
  barcodeQuietZoneModules: 10,
} as const

export const routes = {
  index: '/pages/index/index',
  register: '/pages/register/index',
  card: '/pages/card/index',
  history: '/pages/history/index',
  points: '/pages/points/index',
  tier: '/pages/tier/index',
  profile: '/pages/profile/index',
  wallet: '/pages/wallet/index',
  coupon: '/pages/coupon/index',
  staffHome: '/staff/pages/home/index',
  staffTeam: '/staff/pages/team/index',
  staffMembers: '/staff/pages/members/index',
  staffPoints: '/staff/pages/points/index',
  staffSettlement: '/staff/pages/settlement/index',
  hqRules: '/hq/pages/rules/index',
  hqCoupons: '/hq/pages/coupons/index',
  hqAudit: '/hq/pages/audit/index',
} as const

export const isH5 = process.env.TARO_ENV === 'h5'

export const isWeapp = process.env.TARO_ENV === 'weapp'
