import { SingleBar, Presets } from 'cli-progress'
import { createDirectDatabase } from '../../local-cloud/direct-database'
import type { DocumentStore } from '../../local-cloud/store'
import { buildDemoPlan } from './build-demo-plan'
import {
  DEMO_MARKER_ID,
  loadDemoData,
  type DemoLoadProgress,
  type DemoLoadReport,
} from './load-demo-data'

const phaseNames: Record<DemoLoadProgress['phase'], string> = {
  chain: '门店与员工',
  members: '会员注册',
  purchases: '消费记录',
}

export function hasDemoData(store: DocumentStore): boolean {
  return store.get('settings', DEMO_MARKER_ID) !== null
}

/** Builds the demo plan from the shared data and loads it, with a progress bar per phase. */
export async function loadDemoIntoStore(
  store: DocumentStore,
  dataDir: string,
  today: Date,
): Promise<DemoLoadReport> {
  const plan = await buildDemoPlan({ dataDir, today })
  const bars = new Map<DemoLoadProgress['phase'], SingleBar>()
  const showProgress = (progress: DemoLoadProgress) => {
    let bar = bars.get(progress.phase)
    if (!bar) {
      bar = new SingleBar(
        {
          format: `${phaseNames[progress.phase]} [{bar}] {value}/{total} {eta_formatted}`,
          // Outside a terminal (CI, a log file) the bar still reports, every few seconds.
          noTTYOutput: true,
          notTTYSchedule: 3000,
        },
        Presets.shades_classic,
      )
      bar.start(progress.total, 0)
      bars.set(progress.phase, bar)
    }
    bar.update(progress.done)
    if (progress.done >= progress.total) bar.stop()
  }

  return store.withBulkLoad(() => loadDemoData(createDirectDatabase(store), plan, showProgress))
}
