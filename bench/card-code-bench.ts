import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { makeCardCode } from '../typings/card-code'
import { acceptCardCode } from '../cloudfunctions/domain/card-codes'
import { upsertRegion } from '../cloudfunctions/domain/chain'
import { registerMember } from '../cloudfunctions/domain/members'
import type { MemberDoc } from '../cloudfunctions/domain/models'
import type { Database } from '../cloudfunctions/domain/ports'
import { defaultSettings } from '../cloudfunctions/domain/settings'
import { createDirectDatabase } from '../local-cloud/direct-database'
import { DocumentStore } from '../local-cloud/store'
import { callFunction, openBenchStores, runCallers, withBenchCloud } from './bench-support'

/**
 * Card-code verifications per second: `acceptCardCode` on the direct database over an in-memory
 * store (the domain's own cost: member lookup, HMAC over the candidate steps, the single-use
 * insert), then `staff.scan` through the gateway (plus the function host and the SDK's HTTP).
 * Every code is fresh: a used one would be refused before its signature is even checked.
 */
const MEMBERS = 400
const VARIANTS = 10
const DIRECT_CODES = Number(process.env.BENCH_CODES ?? 12_000)
const GATEWAY_CALLS = Number(process.env.BENCH_CALLS ?? 1_000)
const CONCURRENCY_LEVELS = [1, 16]
const COUNTERS = 16
const WARM_UP_CALLS = 64

const random = (length: number) => new Uint8Array(randomBytes(length))

async function main() {
  process.env.TONGKA_LOG = 'silent'

  console.log('card-code verifications')
  console.log(`${'path'.padEnd(34)} | codes | per second | ms per code`)
  report('acceptCardCode, in-memory', DIRECT_CODES, await benchDirect())
  for (const [concurrency, elapsedMs] of await benchGateway()) {
    report(`staff.scan, gateway, ${concurrency} caller(s)`, GATEWAY_CALLS, elapsedMs)
  }
}

function report(label: string, codes: number, elapsedMs: number) {
  const perSecond = (codes / elapsedMs) * 1000
  console.log(
    `${label.padEnd(34)} | ${String(codes).padStart(5)} | ${perSecond.toFixed(0).padStart(10)} | ` +
      `${(elapsedMs / codes).toFixed(3).padStart(11)}`,
  )
}

async function benchDirect(): Promise<number> {
  const db = createDirectDatabase(DocumentStore.open(':memory:'))
  const now = new Date()
  const members = await registerMembers(db, now)
  // Steps one behind, current and one ahead, each variant: every code distinct and acceptable.
  const codes = Array.from({ length: DIRECT_CODES }, (_, index) => {
    const member = members[index % MEMBERS]
    const variant = Math.floor(index / MEMBERS) % VARIANTS
    const skewSteps = (Math.floor(index / (MEMBERS * VARIANTS)) % 3) - 1
    const at = now.getTime() + skewSteps * 30_000

    return makeCardCode(member.codeSecret, member.memberNo, at, variant)
  })

  const startedAt = performance.now()
  for (const code of codes) {
    const accepted = await acceptCardCode(db, code, now)
    if (!accepted.ok) throw new Error(`a benchmark code was refused: ${accepted.error.code}`)
  }

  return performance.now() - startedAt
}

async function benchGateway(): Promise<Array<[number, number]>> {
  return withBenchCloud({ tempPrefix: 'tongka-bench-codes-' }, async (cloud) => {
    const db = createDirectDatabase(cloud.store)
    const members = await registerMembers(db, new Date())
    const clerks = (await openBenchStores(db, COUNTERS, 'bench')).map((clerk) => clerk.openid)
    let sequence = 0
    // One code per member and variant within a step: distinct while calls stay below
    // MEMBERS × VARIANTS per step, and a new step only makes new codes.
    const scan = async (caller: number) => {
      const index = sequence
      sequence += 1
      const member = members[index % MEMBERS]
      const variant = Math.floor(index / MEMBERS) % VARIANTS
      const code = makeCardCode(member.codeSecret, member.memberNo, Date.now(), variant)
      const event = { action: 'scan', code }
      const result = await callFunction(cloud.url, 'staff', event, clerks[caller % COUNTERS])
      if (!result?.ok) throw new Error(`a benchmark scan failed: ${JSON.stringify(result)}`)
    }

    const timings: Array<[number, number]> = []
    for (const concurrency of CONCURRENCY_LEVELS) {
      sequence = 0
      await waitForNextStep()
      // Warm-up: every function instance this concurrency needs is started before timing.
      await runCallers(scan, concurrency, WARM_UP_CALLS)
      const startedAt = performance.now()
      await runCallers(scan, concurrency, GATEWAY_CALLS)
      timings.push([concurrency, performance.now() - startedAt])
    }

    return timings
  })
}

/** Rounds reuse member and variant pairs, so each starts in a step of its own. */
async function waitForNextStep() {
  const msIntoStep = Date.now() % 30_000
  await new Promise((resolve) => setTimeout(resolve, 30_000 - msIntoStep + 50))
}

async function registerMembers(db: Database, now: Date): Promise<MemberDoc[]> {
  await upsertRegion(db, { _id: 'bench', name: '压测' })
  const members: MemberDoc[] = []
  for (let index = 0; index < MEMBERS; index += 1) {
    const openid = `o-bench-member-${index}`
    const registration = {
      openid,
      unionid: null,
      phone: `+86138${String(index).padStart(8, '0')}`,
      storeId: null,
      name: null,
      birthday: null,
      consentVersion: defaultSettings.terms.version,
    }
    const registered = await registerMember(db, registration, now, random)
    if (!registered.ok) throw new Error(`could not register: ${registered.error.code}`)
    members.push((await db.get<MemberDoc>('members', registered.data.memberId)) as MemberDoc)
  }

  return members
}

main().catch((error: unknown) => {
  console.error('[bench] failed', error)
  process.exit(1)
})
