import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { upsertRegion, upsertStaff, upsertStore } from '../cloudfunctions/domain/chain'
import type { StaffDoc } from '../cloudfunctions/domain/models'
import type { Database } from '../cloudfunctions/domain/ports'
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../local-cloud/server'
import { buildFunctions } from '../scripts/build-functions'
import { functionsBuildDir } from '../scripts/local-paths'

/**
 * What the benchmarks share: a throwaway local cloud, bench stores with a clerk each, calls
 * through the gateway, and the small helpers their figures need.
 */
export interface BenchCloudOptions extends Omit<
  LocalCloudOptions,
  'port' | 'dataDir' | 'functionsDir'
> {
  /** Each benchmark names its own temp dir, so a left-over one says which run left it. */
  tempPrefix: string
}

/**
 * Builds the functions, starts a local cloud on a free port over a fresh temp dir, runs `run`,
 * then closes the cloud and removes the dir even when `run` throws.
 */
export async function withBenchCloud<T>(
  options: BenchCloudOptions,
  run: (cloud: LocalCloud) => Promise<T>,
): Promise<T> {
  const { tempPrefix, ...cloudOptions } = options
  // The function host's request logs would bury the figures.
  process.env.TONGKA_LOG = 'silent'
  await buildFunctions()

  const dataDir = mkdtempSync(path.join(tmpdir(), tempPrefix))
  try {
    const cloud = await startLocalCloud({
      port: 0,
      dataDir,
      functionsDir: functionsBuildDir,
      ...cloudOptions,
    })
    try {
      return await run(cloud)
    } finally {
      await cloud.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Bench clerks always have a store: the visit tokens the benchmarks sign must name it. */
export type BenchClerk = StaffDoc & { storeId: string }

/**
 * `count` active stores `<storeIdPrefix><index>` in the `bench` region, each with one clerk
 * `o-clerk-<storeId>`. Returns the clerks, since the callers need both openid and store id.
 */
export async function openBenchStores(
  db: Database,
  count: number,
  storeIdPrefix: string,
): Promise<BenchClerk[]> {
  await upsertRegion(db, { _id: 'bench', name: '压测' })

  const clerks: BenchClerk[] = []
  for (let index = 0; index < count; index += 1) {
    const storeId = `${storeIdPrefix}${index}`
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
    const clerk: BenchClerk = {
      _id: `o-clerk-${storeId}`,
      openid: `o-clerk-${storeId}`,
      name: `店员${index}`,
      role: 'clerk',
      storeId,
      regionId: 'bench',
      isActive: true,
    }
    await upsertStaff(db, clerk)
    clerks.push(clerk)
  }

  return clerks
}

/** One call through the gateway as the WeChat user `openid`; the function's own answer. */
export async function callFunction(
  url: string,
  name: string,
  event: unknown,
  openid: string,
): Promise<any> {
  const response = await fetch(`${url}/api/functions/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-openid': openid },
    body: JSON.stringify(event),
  })
  const body = (await response.json()) as { result: any }

  return body.result
}

/** `calls` sends shared out among `concurrency` callers, each sending again as soon as it may. */
export async function runCallers(
  send: (caller: number) => Promise<void>,
  concurrency: number,
  calls: number,
): Promise<void> {
  let remaining = calls
  const caller = async (index: number) => {
    while (remaining > 0) {
      remaining -= 1
      await send(index)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => caller(index)))
}

/** The upper median: rounds are few and odd in number, so it is the middle one. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)

  return sorted[Math.floor(sorted.length / 2)]
}
