import {
  computeValidity,
  hasValidityEnded,
  isAcceptedAt,
} from '../../cloudfunctions/domain/coupon-templates'
import { computeDiscount } from '../../cloudfunctions/domain/coupon-redemption'
import { formatSettlementCsv } from '../../cloudfunctions/domain/settlement'
import type { StoreDoc } from '../../cloudfunctions/domain/models'

const store = (id: string, regionId: string) => ({ _id: id, regionId }) as StoreDoc

describe('coupon validity', () => {
  it('ends N days of validity at the end of a Shanghai day, whatever the hour of issue', () => {
    // 23:30 in Shanghai on 15 January: the coupon's one day is the 15th.
    const lateEvening = computeValidity(
      { validDays: 1, validFrom: null, validTo: null },
      new Date('2026-01-15T15:30:00Z'),
    )
    // 00:30 in Shanghai on 16 January, still the 15th in UTC: its one day is the 16th.
    const earlyMorning = computeValidity(
      { validDays: 1, validFrom: null, validTo: null },
      new Date('2026-01-15T16:30:00Z'),
    )

    expect(lateEvening.validUntil).toBe('2026-01-15T16:00:00.000Z')
    expect(earlyMorning.validUntil).toBe('2026-01-16T16:00:00.000Z')
  })

  it('covers both fixed dates whole', () => {
    const fixed = computeValidity(
      { validDays: null, validFrom: '2026-02-01', validTo: '2026-02-28' },
      new Date('2026-01-01T00:00:00Z'),
    )

    expect(fixed).toEqual({
      validFrom: '2026-01-31T16:00:00.000Z',
      validUntil: '2026-02-28T16:00:00.000Z',
    })
  })

  it('ends a fixed-date template at the Shanghai midnight after its last day', () => {
    const template = { validDays: null, validFrom: '2026-02-01', validTo: '2026-02-28' }
    const perDays = { validDays: 1, validFrom: null, validTo: null }

    // 23:59 and 00:00 in Shanghai, both still 28 February in UTC.
    expect(hasValidityEnded(template, new Date('2026-02-28T15:59:59.999Z'))).toBe(false)
    expect(hasValidityEnded(template, new Date('2026-02-28T16:00:00.000Z'))).toBe(true)
    expect(hasValidityEnded(perDays, new Date('2026-02-28T15:59:59.999Z'))).toBe(false)
  })
})

describe('where a coupon works', () => {
  it('accepts all stores, a region or a list', () => {
    expect(isAcceptedAt('all', store('s1', 'east'))).toBe(true)
    expect(isAcceptedAt({ regionId: 'east' }, store('s1', 'east'))).toBe(true)
    expect(isAcceptedAt({ regionId: 'west' }, store('s1', 'east'))).toBe(false)
    expect(isAcceptedAt(['s2'], store('s1', 'east'))).toBe(false)
  })
})

describe('the value a coupon takes off', () => {
  const cash = {
    kind: 'cash' as const,
    valueFen: 1_000,
    discountPercent: null,
    maxDiscountFen: null,
  }
  const discount = {
    kind: 'discount' as const,
    valueFen: null,
    discountPercent: 85,
    maxDiscountFen: 500,
  }

  it('takes no more cash off than the order costs', () => {
    expect(computeDiscount(cash, 600)).toBe(600)
    expect(computeDiscount(cash, null)).toBe(1_000)
  })

  it('rounds a discount down to the fen and holds its cap', () => {
    expect(computeDiscount(discount, 1_999)).toBe(299)
    expect(computeDiscount(discount, 100_000)).toBe(500)
    expect(computeDiscount(discount, null)).toBeNull()
  })
})

describe('the settlement CSV', () => {
  it('writes a header, one row per store and one per pair', () => {
    const csv = formatSettlementCsv({
      month: '2026-02',
      storeId: null,
      stores: [
        {
          storeId: 's1',
          name: '鲜邻超市·徐汇区店',
          redeemedForOthersFen: 700,
          redeemedByOthersFen: 0,
          redemptions: 1,
          pointsCreated: 10,
          pointsConsumed: 0,
          pointsShortfall: 3,
        },
      ],
      pairs: [{ from: 's2', to: 's1', couponFen: 700, points: 0 }],
      totals: { redemptions: 1, couponFen: 700 },
    })

    expect(csv.split('\r\n')).toEqual([
      '\uFEFFsection,party,store_name,counterparty,redeemed_for_others_fen,' +
        'redeemed_by_others_fen,redemptions,points_created,points_consumed,points_shortfall,' +
        'owed_coupon_fen,owed_points',
      'store,s1,鲜邻超市·徐汇区店,,700,0,1,10,0,3,,',
      'pair,s2,,s1,,,,,,,700,0',
      '',
    ])
  })
})
