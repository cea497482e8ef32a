import { performance } from 'node:perf_hooks'
import type { MemberDoc, PointLotDoc } from '../cloudfunctions/domain/models'
import { expireDueLotsInChunks } from '../cloudfunctions/domain/point-expiry'
import { computeExpiresAt, defaultPointsRules } from '../cloudfunctions/domain/points-rules'
import { loadSigningKey, signVisitToken } from '../cloudfunctions/domain/visit-tokens'
import { createDirectDatabase } from '../local-cloud/direct-database'
import type { LocalCloud } from '../local-cloud/server'
import { callFunction, openBenchStores, withBenchCloud } from './bench-support'

/**
 * Points figures: earns per second with 16 clerks at once through the gateway, and the expiry
 * job over 100k due lots, once as its domain function on the direct database and once through
 * the timer function (fired until its day is done, as the 10-minute trigger would).
 */
const CLERKS = 16
const EARNS = Number(process.env.BENCH_EARNS ?? 1_600)
const LOTS = Number(process.env.BENCH_LOTS ?? 100_000)
const LOTS_PER_MEMBER = 25
const EARNED_AT = new Date('2025-03-10T04:00:00Z')
const AFTER_EXPIRY = '2026-04-01T00:10:00+08:00'

async function main() {
  // The timer fires only when the bench fires it, and no expiry run may hit the default timeout.
  const options = {
    tempPrefix: 'tongka-points-bench-',
    schedulerTickMs: 0,
    functionTimeoutMs: 600_000,
  }
  await withBenchCloud(options, async (cloud) => {
    await benchEarns(cloud)
    await benchExpiry(cloud)
  })
}

async function benchEarns(cloud: LocalCloud) {
  const db = createDirectDatabase(cloud.store)
  const clerks = await openBenchStores(db, CLERKS, 'pb')
  const keyHex = await loadSigningKey(db, (length) =>
    crypto.getRandomValues(new Uint8Array(length)),
  )
  const terms = await callFunction(cloud.url, 'member', { action: 'terms' }, 'o-bench')
  const counters: Array<{ clerkOpenid: string; visitToken: string }> = []
  for (const [index, { openid: clerkOpenid, storeId }] of clerks.entries()) {
    const phoneCode = cloud.wechat.issuePhoneCode(`1381111${String(index).padStart(4, '0')}`)
    const registered = await callFunction(
      cloud.url,
      'member',
      { action: 'register', phoneCode, consentVersion: terms.data.version },
      `o-member-${storeId}`,
    )
    const claims = {
      memberId: registered.data.card.memberId,
      storeId,
      clerkOpenid,
      expiresAtMs: Date.now() + 60 * 60 * 1000,
    }
    counters.push({ clerkOpenid, visitToken: signVisitToken(keyHex, claims) })
  }

  let sequence = 0
  const startedAt = performance.now()
  await Promise.all(
    counters.map(async (counter) => {
      while (sequence < EARNS) {
        sequence += 1
        const event = {
          action: 'recordPurchase',
          visitToken: counter.visitToken,
          orderNo: `PB-${sequence}`,
          amountFen: 1_000 + (sequence % 5_000),
        }
        const answer = await callFunction(cloud.url, 'staff', event, counter.clerkOpenid)
        if (!answer?.ok) throw new Error(`an earn failed: ${JSON.stringify(answer)}`)
      }
    }),
  )
  const seconds = (performance.now() - startedAt) / 1000
  console.log(
    `earns through the gateway, ${CLERKS} clerks at once: ${EARNS} in ${seconds.toFixed(1)} s` +
      ` = ${(EARNS / seconds).toFixed(0)} earns/s`,
  )
}

async function benchExpiry(cloud: LocalCloud) {
  const db = createDirectDatabase(cloud.store)
  const now = new Date(AFTER_EXPIRY)
  const audit = {
    requestId: 'bench',
    randomBytes: (length: number) => crypto.getRandomValues(new Uint8Array(length)),
  }

  await seedDueLots(cloud, 'direct')
  let startedAt = performance.now()
  let run = await expireDueLotsInChunks(db, now, audit)
  let directRuns = 1
  for (; run.status === 'running'; directRuns += 1) {
    run = await expireDueLotsInChunks(db, now, audit)
  }
  const directSeconds = (performance.now() - startedAt) / 1000
  report('domain function, direct database', run.lotsExpired, directSeconds, directRuns)

  await seedDueLots(cloud, 'timer')
  await cloud.store.withBulkLoad(async () => cloud.store.remove('jobs', {}, { multi: true }))
  cloud.clock.set(now.toISOString())
  startedAt = performance.now()
  let runs = 0
  let expired = 0
  for (let status = 'running'; status === 'running'; runs += 1) {
    const fired = await cloud.scheduler.fire('pointExpiry')
    const answer = fired.result as { ok: boolean; data: { expiry: typeof run } }
    if (!answer?.ok) throw new Error(`the timer run failed: ${JSON.stringify(answer)}`)
    status = answer.data.expiry.status
    expired = answer.data.expiry.lotsExpired
  }
  report('timer function through the SDK', expired, (performance.now() - startedAt) / 1000, runs)
}

function report(how: string, lots: number, seconds: number, runs: number) {
  console.log(
    `expiry job, ${how}: ${lots} lots in ${seconds.toFixed(1)} s (${runs} runs)` +
      ` = ${(lots / seconds).toFixed(0)} lots/s`,
  )
}

/** Members holding 25 lots each, all due, written straight into the store. */
async function seedDueLots(cloud: LocalCloud, prefix: string) {
  const expiresAt = computeExpiresAt(defaultPointsRules, EARNED_AT) as string
  const earnedAt = EARNED_AT.toISOString()
  const members: MemberDoc[] = []
  const lots: PointLotDoc[] = []
  for (let m = 0; m < LOTS / LOTS_PER_MEMBER; m += 1) {
    const memberId = `B${prefix}${m}`
    const memberLots = Array.from({ length: LOTS_PER_MEMBER }, (_, l) => ({
      _id: `${prefix}.${m}.${l}`,
      memberId,
      storeId: 'pb0',
      orderNo: `${m}-${l}`,
      kind: 'purchase' as const,
      amountFen: 1_000,
      points: 10,
      remaining: 10,
      earnedAt,
      expiresAt,
      openExpiresAt: expiresAt,
    }))
    lots.push(...memberLots)
    members.push({
      _id: memberId,
      memberNo: memberId,
      phone: '',
      maskedPhone: '',
      openid: `o-${memberId}`,
      unionid: null,
      name: null,
      birthday: null,
      homeStoreId: 'pb0',
      consent: { version: 'bench', acceptedAt: earnedAt },
      tier: 'regular',
      points: 10 * LOTS_PER_MEMBER,
      pointsEarnedTotal: 10 * LOTS_PER_MEMBER,
      visitCount: LOTS_PER_MEMBER,
      lastVisitAt: earnedAt,
      lastVisitStoreId: 'pb0',
      codeSecret: '',
      registeredAt: earnedAt,
      openLots: memberLots.map((lot) => ({
        lotId: lot._id,
        storeId: lot.storeId,
        remaining: lot.remaining,
        earnedAt,
        expiresAt,
      })),
    })
  }
  await cloud.store.withBulkLoad(async () => {
    cloud.store.insert('members', members)
    cloud.store.insert('pointLots', lots)
  })
}

main().catch((error: unknown) => {
  console.error('[bench] failed', error)
  process.exit(1)
})
