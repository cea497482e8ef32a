export default definePageConfig({ navigationBarTitleText: '通卡' })
