import type { Role, Tier } from '../../typings/common'
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
  homeStoreId: string | null
  consent: { version: string; acceptedAt: string }
  tier: Tier
  points: number
  pointsEarnedTotal: number
  visitCount: number
  lastVisitAt: string | null
  lastVisitStoreId: string | null
  codeSecret: string
  registeredAt: string
}

/** Lookup keys with unique ids: `phone:+86…`, `openid:…`, `no:123456789` → memberId. */
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
}

export interface PointLotDoc extends Doc {
  memberId: string
  storeId: string
  orderNo: string
  points: number
  remaining: number
  earnedAt: string
}
