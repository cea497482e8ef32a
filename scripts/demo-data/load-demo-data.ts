import seedrandom from 'seedrandom'
import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import { createCouponTemplate } from '../../cloudfunctions/domain/coupon-templates'
import { issueCoupons, WELCOME_GIFT_SETTING } from '../../cloudfunctions/domain/coupons'
import { recordVerifiedPurchase } from '../../cloudfunctions/domain/counter'
import { registerMember, type RandomBytes } from '../../cloudfunctions/domain/members'
import { normalizeMobile } from '../../cloudfunctions/domain/phone'
import type { Database } from '../../cloudfunctions/domain/ports'
import type { StaffDoc } from '../../cloudfunctions/domain/models'
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
  couponTemplates: number
  couponsIssued: number
  couponsRefused: Record<string, number>
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
    couponTemplates: 0,
    couponsIssued: 0,
    couponsRefused: {},
  }

  await loadChain(db, plan, report)
  onProgress({ phase: 'chain', done: 1, total: 1 })

  const memberIds = await registerMembers(db, plan, randomBytes, report, onProgress)
  await replayPurchases(db, plan, memberIds, report, onProgress)
  await loadCoupons(db, plan, memberIds, report)

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

/**
 * HQ's templates, the welcome gift they name and HQ's coupons to members, made through the
 * domain by the demo's HQ admin at the plan's `issuedAt`. Template ids come from the seed and
 * each batch has an issue number, so a reload gives the same templates and coupons.
 */
async function loadCoupons(
  db: Database,
  plan: DemoPlan,
  memberIds: Map<string, string>,
  report: DemoLoadReport,
) {
  const admin = plan.staff.find((staff) => staff.role === 'hq_admin')
  if (!admin) return

  const actor: StaffDoc = {
    _id: admin.openid,
    openid: admin.openid,
    name: admin.name,
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    isActive: true,
  }
  const context = {
    now: new Date(plan.coupons.issuedAt),
    requestId: 'demo-data',
    randomBytes: createSeededBytes(`${plan.seed}/coupons`),
  }
  const templateIds = new Map<string, string>()
  for (const { key, template } of plan.coupons.templates) {
    const created = await createCouponTemplate(db, actor, template, context)
    if (!created.ok) throw new Error(`demo template ${key}: ${created.error.message}`)

    templateIds.set(key, created.data.templateId)
    report.couponTemplates += 1
  }
  await db.set('settings', {
    _id: WELCOME_GIFT_SETTING,
    templateId: templateIds.get(plan.coupons.welcomeGiftKey) ?? null,
  })

  for (const batch of plan.coupons.hqIssues) {
    const templateId = templateIds.get(batch.templateKey)
    if (!templateId) throw new Error(`demo coupons name no template ${batch.templateKey}`)

    const members = batch.householdIds.flatMap((id) => memberIds.get(id) ?? [])
    const issued = await issueCoupons(
      db,
      actor,
      { templateId, memberIds: members, issueNo: `demo-${batch.templateKey}` },
      context,
    )
    if (!issued.ok) throw new Error(`demo coupons ${batch.templateKey}: ${issued.error.message}`)

    report.couponsIssued += issued.data.issued.length
    for (const { code } of issued.data.refused) {
      report.couponsRefused[code] = (report.couponsRefused[code] ?? 0) + 1
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
