export default definePageConfig({ navigationBarTitleText: '积分抵扣与退款' })
