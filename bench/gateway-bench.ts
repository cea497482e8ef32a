import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { upsertRegion, upsertStaff, upsertStore } from '../cloudfunctions/domain/chain'
import { createDirectDatabase } from '../local-cloud/direct-database'
import { startLocalCloud, type LocalCloud } from '../local-cloud/server'
import { buildFunctions } from '../scripts/build-functions'
import { functionsBuildDir } from '../scripts/local-paths'

/**
 * Time per recordPurchase through the gateway beside time per no-op call through the same
 * gateway, with 1 and 16 concurrent callers: what the domain and its database work cost on top
 * of the function host itself.
 */
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 400)
const ROUNDS = 3
const CONCURRENCY_LEVELS = [1, 16]
const COUNTERS = 16

interface Counter {
  clerkOpenid: string
  visitToken: string
}

async function main() {
  process.env.TONGKA_LOG = 'silent'
  await buildFunctions()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tongka-bench-'))
  const cloud = await startLocalCloud({ port: 0, dataDir, functionsDir: functionsBuildDir })

  try {
    const counters = await openCounters(cloud)
    let orderSequence = 0
    const callers = {
      ping: (_caller: number) => call(cloud, 'ping', { action: 'ping' }, 'o-bench'),
      recordPurchase: (caller: number) => {
        const counter = counters[caller % COUNTERS]
        orderSequence += 1
        const event = {
          action: 'recordPurchase',
          visitToken: counter.visitToken,
          orderNo: `BENCH-${orderSequence}`,
          amountFen: 1_000 + (orderSequence % 5_000),
        }

        return call(cloud, 'staff', event, counter.clerkOpenid)
      },
    }

    await runRound(callers.ping, 16, 64)
    await runRound(callers.recordPurchase, 16, 64)

    console.log(`calls per round: ${CALLS_PER_ROUND}, rounds: ${ROUNDS} (alternated)`)
    console.log('concurrency | no-op ms/call | recordPurchase ms/call | ratio | purchases/s')
    for (const concurrency of CONCURRENCY_LEVELS) {
      const noop: number[] = []
      const purchase: number[] = []
      for (let round = 0; round < ROUNDS; round += 1) {
        noop.push(await runRound(callers.ping, concurrency, CALLS_PER_ROUND))
        purchase.push(await runRound(callers.recordPurchase, concurrency, CALLS_PER_ROUND))
      }
      const noopMs = median(noop)
      const purchaseMs = median(purchase)
      const throughput = (1000 / purchaseMs) * concurrency
      console.log(
        `${String(concurrency).padStart(11)} | ${noopMs.toFixed(2).padStart(13)} | ` +
          `${purchaseMs.toFixed(2).padStart(22)} | ` +
          `${(purchaseMs / noopMs).toFixed(2).padStart(5)} | ` +
          `${throughput.toFixed(0).padStart(11)}`,
      )
    }
  } finally {
    await cloud.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Mean wall time per call as each caller sees it, with `concurrency` callers in flight. */
async function runRound(
  send: (caller: number) => Promise<unknown>,
  concurrency: number,
  calls: number,
): Promise<number> {
  let remaining = calls
  const latencies: number[] = []
  const caller = async (index: number) => {
    while (remaining > 0) {
      remaining -= 1
      const startedAt = performance.now()
      const result = (await send(index)) as { ok?: boolean; error?: unknown }
      latencies.push(performance.now() - startedAt)
      if (!result?.ok) throw new Error(`a benchmark call failed: ${JSON.stringify(result)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => caller(index)))

  return latencies.reduce((sum, latency) => sum + latency, 0) / latencies.length
}

async function openCounters(cloud: LocalCloud): Promise<Counter[]> {
  const db = createDirectDatabase(cloud.store)
  await upsertRegion(db, { _id: 'bench', name: '压测' })
  const counters: Counter[] = []
  const terms = await call(cloud, 'member', { action: 'terms' }, 'o-bench')

  for (let index = 0; index < COUNTERS; index += 1) {
    const storeId = `bench${index}`
    const clerkOpenid = `o-clerk-${storeId}`
    const memberOpenid = `o-member-${storeId}`
    await upsertStore(db, {
      _id: storeId,
      name: `压测门店${index}`,
      regionId: 'bench',
      city: '上海市',
      cityCode: '3101',
      district: '徐汇区',
      districtCode: '310104',
      isActive: true,
    })
    await upsertStaff(db, {
      _id: clerkOpenid,
      openid: clerkOpenid,
      name: `店员${index}`,
      role: 'clerk',
      storeId,
      regionId: 'bench',
      isActive: true,
    })
    const phone = `1380000${String(index).padStart(4, '0')}`
    const phoneCode = cloud.wechat.issuePhoneCode(phone)
    const registered = await call(
      cloud,
      'member',
      { action: 'register', phoneCode, consentVersion: terms.data.version },
      memberOpenid,
    )
    const code = await call(cloud, 'member', { action: 'code' }, memberOpenid)
    const scan = await call(cloud, 'staff', { action: 'scan', code: code.data.code }, clerkOpenid)
    if (!registered.ok || !scan.ok) throw new Error('could not open the benchmark counters')
    counters.push({ clerkOpenid, visitToken: scan.data.visitToken })
  }

  return counters
}

async function call(cloud: LocalCloud, name: string, event: unknown, openid: string): Promise<any> {
  const response = await fetch(`${cloud.url}/api/functions/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-openid': openid },
    body: JSON.stringify(event),
  })

  return (await response.json()).result
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)

  return sorted[Math.floor(sorted.length / 2)]
}

main().catch((error: unknown) => {
  console.error('[bench] failed', error)
  process.exit(1)
})
