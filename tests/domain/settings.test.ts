import { computeEarnedPoints } from '../../cloudfunctions/domain/settings'
import { businessDate, formatBusinessTime } from '../../cloudfunctions/domain/time'

describe('computeEarnedPoints', () => {
  it('earns for whole yuan only', () => {
    expect(computeEarnedPoints(1299, { pointsPerYuan: 1 })).toBe(12)
    expect(computeEarnedPoints(99, { pointsPerYuan: 1 })).toBe(0)
    expect(computeEarnedPoints(10_000, { pointsPerYuan: 2 })).toBe(200)
  })
})

describe('business time', () => {
  it('shows instants with the Shanghai offset', () => {
    expect(formatBusinessTime('2026-12-03T16:30:00.000Z')).toBe('2026-12-04T00:30:00.000+08:00')
  })

  it('counts the Shanghai day, not the runtime day', () => {
    expect(businessDate('2026-12-03T16:30:00.000Z')).toBe('2026-12-04')
  })
})
