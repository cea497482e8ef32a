import { performance } from 'node:perf_hooks'
import { createDirectDatabase } from '../local-cloud/direct-database'
import type { LocalCloud } from '../local-cloud/server'
import { callFunction, median, openBenchStores, runCallers, withBenchCloud } from './bench-support'

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
  await withBenchCloud({ tempPrefix: 'tongka-bench-' }, async (cloud) => {
    const counters = await openCounters(cloud)
    let orderSequence = 0
    const callers = {
      ping: (_caller: number) => callFunction(cloud.url, 'ping', { action: 'ping' }, 'o-bench'),
      recordPurchase: (caller: number) => {
        const counter = counters[caller % COUNTERS]
        orderSequence += 1
        const event = {
          action: 'recordPurchase',
          visitToken: counter.visitToken,
          orderNo: `BENCH-${orderSequence}`,
          amountFen: 1_000 + (orderSequence % 5_000),
        }

        return callFunction(cloud.url, 'staff', event, counter.clerkOpenid)
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
  })
}

/** Mean wall time per call as each caller sees it, with `concurrency` callers in flight. */
async function runRound(
  send: (caller: number) => Promise<unknown>,
  concurrency: number,
  calls: number,
): Promise<number> {
  const latencies: number[] = []
  const timedSend = async (caller: number) => {
    const startedAt = performance.now()
    const result = (await send(caller)) as { ok?: boolean; error?: unknown }
    latencies.push(performance.now() - startedAt)
    if (!result?.ok) throw new Error(`a benchmark call failed: ${JSON.stringify(result)}`)
  }
  await runCallers(timedSend, concurrency, calls)

  return latencies.reduce((sum, latency) => sum + latency, 0) / latencies.length
}

async function openCounters(cloud: LocalCloud): Promise<Counter[]> {
  const clerks = await openBenchStores(createDirectDatabase(cloud.store), COUNTERS, 'bench')
  const counters: Counter[] = []
  const terms = await callFunction(cloud.url, 'member', { action: 'terms' }, 'o-bench')

  for (const [index, clerk] of clerks.entries()) {
    const clerkOpenid = clerk.openid
    const memberOpenid = `o-member-${clerk.storeId}`
    const phone = `1380000${String(index).padStart(4, '0')}`
    const phoneCode = cloud.wechat.issuePhoneCode(phone)
    const registered = await callFunction(
      cloud.url,
      'member',
      { action: 'register', phoneCode, consentVersion: terms.data.version },
      memberOpenid,
    )
    const code = await callFunction(cloud.url, 'member', { action: 'code' }, memberOpenid)
    const scan = await callFunction(
      cloud.url,
      'staff',
      { action: 'scan', code: code.data.code },
      clerkOpenid,
    )
    if (!registered.ok || !scan.ok) throw new Error('could not open the benchmark counters')
    counters.push({ clerkOpenid, visitToken: scan.data.visitToken })
  }

  return counters
}

main().catch((error: unknown) => {
  console.error('[bench] failed', error)
  process.exit(1)
})
