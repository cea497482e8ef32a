import type { Role, Tier } from '../../typings/common'
import type { Gender } from '../../typings/member-identity'
import type { Doc } from './ports'

/** Documents as they are stored. Times are UTC ISO strings; money is fen. */

export interface RegionDoc extends Doc {
  name: string
}

export interface StoreDoc extends Doc {
  name: string
  regionId: string
  city: string
  cityCode: string
  district: string
  districtCode: string
  isActive: boolean
}

export type StaffRole = Exclude<Role, 'member'>

export interface StaffDoc extends Doc {
  /** The staff member's openid is the document id. */
  openid: string
  name: string
  role: StaffRole
  storeId: string | null
  regionId: string | null
  isActive: boolean
}

export interface MemberDoc extends Doc {
  memberNo: string
  phone: string
  maskedPhone: string
  openid: string
  unionid: string | null
  name: string | null
  birthday: string | null
  /**
   * The birthday's `MM-DD`, kept beside it by every writer of `birthday`, so the birthday timer
   * finds the day's members by equality. Members stored before it get it from the timer's first
   * pass over the members.
   */
  birthdayMonthDay?: string | null
  homeStoreId: string | null
  consent: { version: string; acceptedAt: string }
  tier: Tier
  /**
   * The tier the last yearly review left the member at; absent before their first review, which
   * counts as the first tier. A refund may undo an upgrade but never go below this tier.
   */
  tierKept?: Tier
  points: number
  pointsEarnedTotal: number
  visitCount: number
  lastVisitAt: string | null
  lastVisitStoreId: string | null
  codeSecret: string
  registeredAt: string
  gender?: Gender | null
  /** The store the member chose; unlike the home store it is theirs to change. */
  preferredStoreId?: string | null
  /** Set when the account was deleted; personal fields are then empty. */
  deletedAt?: string
  /** The ledger's summary, kept in step with it in every transaction: lots with points left. */
  openLots?: OpenLotRef[]
  /** Qualifying points per Shanghai month (`YYYY-MM`) of the rolling tier window. */
  qualifyingByMonth?: Record<string, number>
}

/** A lot the member can still spend, oldest first, so a spend needs no query in its transaction. */
export interface OpenLotRef {
  lotId: string
  /** The lot's store (null for HQ's), which each take from the lot carries into its entry. */
  storeId: string | null
  remaining: number
  earnedAt: string
  expiresAt: string | null
}

/** Lookup keys with unique ids: `phone:+86…`, `openid:…`, `unionid:…`, `no:123456789` → memberId. */
export interface MemberKeyDoc extends Doc {
  memberId: string
}

export interface VisitDoc extends Doc {
  memberId: string
  storeId: string
  clerkOpenid: string
  orderNo: string
  amountFen: number
  pointsEarned: number
  balanceAfter: number
  at: string
  excludedFen?: number
  /** What a coupon redeemed on this order took off: it earned no points, as `excludedFen`. */
  couponDiscountFen?: number
  refundedFen?: number
  /**
   * Points the refunds of this order took back, shortfall included. Points of the order's lot
   * that expired are not owed, so this may stay below `qualifyingReversed`.
   */
  pointsReversed?: number
  /** The refunds' share of the points earned, removed from the qualifying points in full. */
  qualifyingReversed?: number
  /** The ledger entry of the order's first refund, which a refund without 退款单号 repeats. */
  firstRefundEntryId?: string
}

export interface PointLotDoc extends Doc {
  memberId: string
  /** Null for HQ's adjustments, which no store served. */
  storeId: string | null
  orderNo: string | null
  points: number
  remaining: number
  earnedAt: string
  kind?: 'purchase' | 'adjust'
  amountFen?: number
  expiresAt?: string | null
  /** `expiresAt` while points remain, so the expiry job finds open lots by an equality index. */
  openExpiresAt?: string
  /** What expiry took from the lot; a refund of its order does not owe these points. */
  expiredPoints?: number
}
