import { recordVerifiedPurchase } from '../../cloudfunctions/domain/counter'
import { listHistory } from '../../cloudfunctions/domain/history'
import { registerMember } from '../../cloudfunctions/domain/members'
import { refundOrder, spendVerifiedPoints } from '../../cloudfunctions/domain/points'
import { defaultSettings } from '../../cloudfunctions/domain/settings'
import { createSmallChain, random } from '../support/direct-chain'

const start = Date.parse('2026-11-01T02:00:00.000Z')

async function memberWithVisits(count: number) {
  const chain = await createSmallChain()
  const registration = {
    openid: 'o-member-1',
    unionid: null,
    phone: '+8613800138000',
    storeId: 'sA',
    name: null,
    birthday: null,
    consentVersion: defaultSettings.terms.version,
  }
  const registered = await registerMember(chain.db, registration, new Date(start), random)
  if (!registered.ok) throw new Error(registered.error.code)
  const memberId = registered.data.memberId
  const purchase = (orderNo: string, at: number) =>
    recordVerifiedPurchase(
      chain.db,
      { memberId, storeId: 'sA', clerkOpenid: 'o-clerk-sA' },
      { orderNo, amountFen: 1_000 },
      new Date(at),
    )
  for (let index = 0; index < count; index += 1) await purchase(`P${index}`, start + index * 60_000)

  return { ...chain, memberId, purchase }
}

describe('the member history', () => {
  it('pages newest first without repeating a visit when a purchase lands between pages', async () => {
    const { db, memberId, purchase } = await memberWithVisits(25)

    const first = await listHistory(db, memberId, undefined)
    await purchase('LATE', start + 100 * 60_000)
    const second = await listHistory(db, memberId, first.nextCursor ?? undefined)

    expect(first.items.map((item) => item.orderNo)[0]).toBe('P24')
    expect(first.items).toHaveLength(20)
    expect(second.items.map((item) => item.orderNo)).toEqual(['P4', 'P3', 'P2', 'P1', 'P0'])
    expect(second.nextCursor).toBeNull()
  })

  it('keeps visits of the same instant apart across a page boundary', async () => {
    const { db, memberId, purchase } = await memberWithVisits(0)
    for (let index = 0; index < 30; index += 1) await purchase(`S${index}`, start)

    const first = await listHistory(db, memberId, undefined)
    const second = await listHistory(db, memberId, first.nextCursor ?? undefined)
    const shown = [...first.items, ...second.items].map((item) => item.orderNo)

    expect(new Set(shown).size).toBe(30)
  })

  it('shows each refunded order with what its refunds gave back and the points they took', async () => {
    const { db, memberId, clerkA } = await memberWithVisits(2)
    const at = new Date(start + 10 * 60_000)
    await refundOrder(db, clerkA, { orderNo: 'P1', amountFen: 300, refundNo: 'R1' }, at)
    await refundOrder(db, clerkA, { orderNo: 'P1', amountFen: 200, refundNo: 'R2' }, at)

    const { items } = await listHistory(db, memberId, undefined)

    expect(
      items.map(({ orderNo, amountFen, pointsEarned, refundedFen, pointsReversed }) => ({
        orderNo,
        amountFen,
        pointsEarned,
        refundedFen,
        pointsReversed,
      })),
    ).toEqual([
      { orderNo: 'P1', amountFen: 1_000, pointsEarned: 10, refundedFen: 500, pointsReversed: 5 },
      { orderNo: 'P0', amountFen: 1_000, pointsEarned: 10, refundedFen: 0, pointsReversed: 0 },
    ])
  })

  it('counts only the points taken from the balance when the member had spent them', async () => {
    const { db, memberId, clerkA } = await memberWithVisits(1)
    const claims = { memberId, storeId: 'sA', clerkOpenid: clerkA.openid }
    const at = new Date(start + 10 * 60_000)
    await spendVerifiedPoints(db, claims, { orderNo: 'SPEND-1', points: 8 }, at)
    await refundOrder(db, clerkA, { orderNo: 'P0', amountFen: 1_000 }, at)

    const { items } = await listHistory(db, memberId, undefined)

    expect(items[0]).toMatchObject({ refundedFen: 1_000, pointsReversed: 2 })
  })
})
