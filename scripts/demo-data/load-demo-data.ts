import seedrandom from 'seedrandom'
import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import { recordVerifiedPurchase } from '../../cloudfunctions/domain/counter'
import { registerMember, type RandomBytes } from '../../cloudfunctions/domain/members'
import { normalizeMobile } from '../../cloudfunctions/domain/phone'
import type { Database } from '../../cloudfunctions/domain/ports'
import { loadSettings } from '../../cloudfunctions/domain/settings'
import { toStoredTime } from '../../cloudfunctions/domain/time'
import type { DemoPlan } from './build-demo-plan'

export interface DemoLoadReport {
  regions: number
  stores: number
  staff: number
  members: number
  membersRefused: Record<string, number>
  purchases: number
  purchasesRefused: Record<string, number>
  pointsEarned: number
  amountFen: number
}

export interface DemoLoadProgress {
  phase: 'chain' | 'members' | 'purchases'
  done: number
  total: number
}

/** Marks a store that holds the demo chain, and with which seed. */
export const DEMO_MARKER_ID = 'demo'

/**
 * Loads a demo plan through the domain, as the functions would have written it: members register
 * with their messy phone numbers normalized on the way in, and every basket is a purchase at its
 * store's counter at its own time. Member numbers and secrets come from the plan's seed, so a
 * reload gives the same chain.
 */
export async function loadDemoData(
  db: Database,
  plan: DemoPlan,
  onProgress: (progress: DemoLoadProgress) => void = () => {},
): Promise<DemoLoadReport> {
  const randomBytes = createSeededBytes(`${plan.seed}/members`)
  const report: DemoLoadReport = {
    regions: 0,
    stores: 0,
    staff: 0,
    members: 0,
    membersRefused: {},
    purchases: 0,
    purchasesRefused: {},
    pointsEarned: 0,
    amountFen: 0,
  }

  await loadChain(db, plan, report)
  onProgress({ phase: 'chain', done: 1, total: 1 })

  const memberIds = await registerMembers(db, plan, randomBytes, report, onProgress)
  await replayPurchases(db, plan, memberIds, report, onProgress)

  await db.set('settings', {
    _id: DEMO_MARKER_ID,
    seed: plan.seed,
    shiftWeeks: plan.shiftWeeks,
    loadedAt: toStoredTime(new Date()),
    report,
  })

  return report
}

async function loadChain(db: Database, plan: DemoPlan, report: DemoLoadReport) {
  for (const region of plan.regions) {
    await upsertRegion(db, { _id: region.regionId, name: region.name })
    report.regions += 1
  }
  for (const store of plan.stores) {
    const { storeId, sourceStoreId: _source, ...fields } = store
    await upsertStore(db, { _id: storeId, ...fields, isActive: true })
    report.stores += 1
  }
  for (const staff of plan.staff) {
    await upsertStaff(db, {
      _id: staff.openid,
      openid: staff.openid,
      name: staff.name,
      role: staff.role,
      storeId: staff.storeId ?? null,
      regionId: staff.regionId ?? regionOfStore(plan, staff.storeId),
      isActive: true,
    })
    report.staff += 1
  }
}

async function registerMembers(
  db: Database,
  plan: DemoPlan,
  randomBytes: RandomBytes,
  report: DemoLoadReport,
  onProgress: (progress: DemoLoadProgress) => void,
): Promise<Map<string, string>> {
  const { terms } = await loadSettings(db)
  const firstPurchaseAt = new Map<string, string>()
  for (const purchase of plan.purchases) {
    if (!firstPurchaseAt.has(purchase.householdId)) {
      firstPurchaseAt.set(purchase.householdId, purchase.at)
    }
  }

  const memberIds = new Map<string, string>()
  for (const [index, member] of plan.members.entries()) {
    const phone = normalizeMobile(member.phoneRaw)
    const registeredAt = new Date(firstPurchaseAt.get(member.householdId) ?? Date.now())
    const registered = phone
      ? await registerMember(
          db,
          {
            openid: member.openid,
            unionid: null,
            phone,
            storeId: member.homeStoreId,
            name: member.name ?? null,
            birthday: member.birthday ?? null,
            consentVersion: terms.version,
          },
          new Date(registeredAt.getTime() - 60_000),
          randomBytes,
        )
      : null

    if (registered?.ok) {
      memberIds.set(member.householdId, registered.data.memberId)
      report.members += 1
    } else {
      const code = registered ? registered.error.code : 'PHONE_INVALID'
      report.membersRefused[code] = (report.membersRefused[code] ?? 0) + 1
    }
    onProgress({ phase: 'members', done: index + 1, total: plan.members.length })
  }

  return memberIds
}

async function replayPurchases(
  db: Database,
  plan: DemoPlan,
  memberIds: Map<string, string>,
  report: DemoLoadReport,
  onProgress: (progress: DemoLoadProgress) => void,
) {
  const clerkOfStore = new Map(
    plan.staff
      .filter((staff) => staff.role === 'clerk')
      .map((staff) => [staff.storeId, staff.openid]),
  )

  for (const [index, purchase] of plan.purchases.entries()) {
    const memberId = memberIds.get(purchase.householdId)
    const clerkOpenid = clerkOfStore.get(purchase.storeId)
    const recorded =
      memberId && clerkOpenid
        ? await recordVerifiedPurchase(
            db,
            { memberId, storeId: purchase.storeId, clerkOpenid },
            { orderNo: purchase.orderNo, amountFen: purchase.amountFen },
            new Date(purchase.at),
          )
        : null

    if (recorded?.ok) {
      report.purchases += 1
      report.pointsEarned += recorded.data.pointsEarned
      report.amountFen += purchase.amountFen
    } else {
      const code = recorded ? recorded.error.code : 'NOT_REGISTERED'
      report.purchasesRefused[code] = (report.purchasesRefused[code] ?? 0) + 1
    }
    if (index % 100 === 0 || index === plan.purchases.length - 1) {
      onProgress({ phase: 'purchases', done: index + 1, total: plan.purchases.length })
    }
  }
}

function regionOfStore(plan: DemoPlan, storeId: string | undefined): string | null {
  return plan.stores.find((store) => store.storeId === storeId)?.regionId ?? null
}

/** Deterministic bytes for member numbers and card secrets of the demo chain only. */
function createSeededBytes(seed: string): RandomBytes {
  const generator = seedrandom(seed)

  return (length) => Uint8Array.from({ length }, () => Math.floor(generator() * 256))
}
