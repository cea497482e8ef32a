import type { CouponStatus, WalletCoupon } from '../../../../typings'
import { formatFen } from '../../utils/money'

export const statusNames: Record<CouponStatus, string> = {
  usable: '可使用',
  used: '已使用',
  expired: '已过期',
}

/** The fields that say what a coupon gives: a wallet coupon's, or an exchangeable template's. */
type Benefit = Pick<WalletCoupon, 'kind' | 'valueFen' | 'discountPercent' | 'maxDiscountFen'>

/** What the coupon gives, as the counter would say it: 减 10 元, 8 折, 赠品. */
export function describeBenefit(coupon: Benefit): string {
  if (coupon.kind === 'cash') return `减 ${formatFen(coupon.valueFen ?? 0)} 元`
  if (coupon.kind === 'gift') return '赠品一份'

  const cap = coupon.maxDiscountFen ? `，最多减 ${formatFen(coupon.maxDiscountFen)} 元` : ''

  return `${(coupon.discountPercent ?? 100) / 10} 折${cap}`
}

export function describeMinSpend(coupon: Pick<WalletCoupon, 'minSpendFen'>): string {
  return coupon.minSpendFen > 0 ? `满 ${formatFen(coupon.minSpendFen)} 元可用` : '无门槛'
}
