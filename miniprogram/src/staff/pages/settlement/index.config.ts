export default definePageConfig({ navigationBarTitleText: '本店结算' })
