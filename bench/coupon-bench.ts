import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createCouponTemplate } from '../cloudfunctions/domain/coupon-templates'
import { issueCoupon } from '../cloudfunctions/domain/coupons'
import { registerMember } from '../cloudfunctions/domain/members'
import type { StaffDoc } from '../cloudfunctions/domain/models'
import { loadSigningKey, signVisitToken } from '../cloudfunctions/domain/visit-tokens'
import { createDirectDatabase } from '../local-cloud/direct-database'
import type { LocalCloud } from '../local-cloud/server'
import { callFunction, openBenchStores, withBenchCloud } from './bench-support'

/**
 * Coupon figures: redemptions per second with 16 clerks at 16 stores at once through the
 * gateway, where every coupon is tried by two clerks racing each other, and the number of coupons
 * redeemed more than once (it must be 0), counted from the answers and from `settlements`.
 */
const CLERKS = 16
const MEMBERS = 64
const COUPONS_PER_MEMBER = Number(process.env.BENCH_COUPONS_PER_MEMBER ?? 25)
/** How many clerks try each coupon; 1 measures redemptions without a race. */
const TRIES = Number(process.env.BENCH_COUPON_TRIES ?? 2)
const bytes = (length: number) => new Uint8Array(randomBytes(length))

async function main() {
  // No timer may run on its own in the middle of the timed redemptions.
  const options = { tempPrefix: 'tongka-coupon-bench-', schedulerTickMs: 0 }
  await withBenchCloud(options, benchRedemptions)
}

async function benchRedemptions(cloud: LocalCloud) {
  const db = createDirectDatabase(cloud.store)
  const now = new Date()
  const clerks = await openBenchStores(db, CLERKS, 'cb')
  const hq: StaffDoc = { ...clerks[0], _id: 'o-hq', openid: 'o-hq', role: 'hq_admin' }
  const context = { now, requestId: 'bench', randomBytes: bytes }
  const template = await createCouponTemplate(
    db,
    hq,
    { title: '压测券', kind: 'cash', valueFen: 500, validDays: 30, costBearer: 'issuer' },
    context,
  )
  if (!template.ok) throw new Error(template.error.message)

  const queue: Array<{ memberId: string; couponId: string }> = []
  for (let index = 0; index < MEMBERS; index += 1) {
    const registered = await registerMember(
      db,
      {
        openid: `o-bench-member-${index}`,
        unionid: null,
        phone: `+86138222${String(index).padStart(5, '0')}`,
        storeId: clerks[index % CLERKS].storeId,
        name: null,
        birthday: null,
        consentVersion: '2026-11',
      },
      now,
      bytes,
    )
    if (!registered.ok) throw new Error(registered.error.message)

    for (let n = 0; n < COUPONS_PER_MEMBER; n += 1) {
      const coupon = await issueCoupon(db, {
        templateId: template.data.templateId,
        memberId: registered.data.memberId,
        source: 'hq',
        issueKey: null,
        now,
        randomBytes: bytes,
      })
      if (!coupon.ok) throw new Error(coupon.error.message)

      // Each coupon TRIES times in a row: the clerks that take them race for the same coupon.
      const item = { memberId: registered.data.memberId, couponId: coupon.data._id }
      for (let copy = 0; copy < TRIES; copy += 1) queue.push(item)
    }
  }

  const keyHex = await loadSigningKey(db, bytes)
  const successes = new Map<string, number>()
  const outcomes = new Map<string, number>()
  let next = 0
  const startedAt = performance.now()
  await Promise.all(
    clerks.map(async (clerk) => {
      while (next < queue.length) {
        const item = queue[next]
        next += 1
        const visitToken = signVisitToken(keyHex, {
          memberId: item.memberId,
          storeId: clerk.storeId,
          clerkOpenid: clerk.openid,
          expiresAtMs: Date.now() + 60 * 60 * 1000,
        })
        const event = {
          action: 'redeemCoupon',
          visitToken,
          couponId: item.couponId,
          orderNo: `CB-${next}`,
          amountFen: 3_000,
        }
        const answer = await callFunction(cloud.url, 'staff', event, clerk.openid)
        const outcome = answer?.ok ? 'OK' : (answer?.error?.code ?? 'NO_ANSWER')
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
        if (answer?.ok) successes.set(item.couponId, (successes.get(item.couponId) ?? 0) + 1)
      }
    }),
  )
  const seconds = (performance.now() - startedAt) / 1000

  const redeemed = successes.size
  const doubleByAnswers = [...successes.values()].filter((count) => count > 1).length
  const lines = cloud.store.find('settlements', { kind: 'couponRedeemed' }, {})
  const perCoupon = new Map<string, number>()
  for (const line of lines) {
    const couponId = String(line.couponId)
    perCoupon.set(couponId, (perCoupon.get(couponId) ?? 0) + 1)
  }
  const doubleByRecords = [...perCoupon.values()].filter((count) => count > 1).length
  console.log(
    `coupon redemptions through the gateway, ${CLERKS} clerks at once, each coupon tried ${TRIES}× : ` +
      `${queue.length} attempts, ${redeemed} redeemed in ${seconds.toFixed(1)} s` +
      ` = ${(redeemed / seconds).toFixed(0)} redemptions/s (${(queue.length / seconds).toFixed(0)}` +
      ` attempts/s)`,
  )
  console.log(`answers: ${JSON.stringify(Object.fromEntries(outcomes))}`)
  console.log(
    `double redemptions: ${doubleByAnswers} by the answers, ${doubleByRecords} by settlements` +
      ` (${lines.length} lines for ${redeemed} coupons)`,
  )
  if (doubleByAnswers + doubleByRecords > 0 || lines.length !== redeemed) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error('[bench] coupons failed', error)
  process.exitCode = 1
})
