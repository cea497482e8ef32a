export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/register/index',
    'pages/card/index',
    'pages/history/index',
    'pages/profile/index',
    'pages/points/index',
    'pages/tier/index',
    'pages/wallet/index',
    'pages/coupon/index',
  ],
  subPackages: [
    {
      root: 'staff',
      pages: [
        'pages/home/index',
        'pages/points/index',
        'pages/team/index',
        'pages/members/index',
        'pages/settlement/index',
      ],
    },
    { root: 'hq', pages: ['pages/rules/index', 'pages/coupons/index', 'pages/audit/index'] },
  ],
  window: {
    navigationBarTitleText: '通卡',
    navigationBarBackgroundColor: '#1f2a44',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f3f4f6',
    backgroundTextStyle: 'light',
  },
  // Page slides in h5 only slow the browser tests down and leave half-drawn screenshots.
  ...(process.env.TARO_ENV === 'h5' ? { animation: false } : {}),
})
