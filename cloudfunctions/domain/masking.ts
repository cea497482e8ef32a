import type { MemberView } from '../../typings/staff-admin'
import type { StoreRef } from '../../typings/common'
import type { MemberDoc, StaffRole } from './models'
import { hqPermissions } from './permissions'
import { maskMobile } from './phone'
import { formatBusinessTime } from './time'

/**
 * The one place that decides what of a member a member of staff sees. Every staff view is
 * masked; only a role the permission table lets reveal, asking for it explicitly (and audited by
 * the caller), sees the phone, the full name and the birthday with its year.
 */

export type Visibility = 'masked' | 'revealed'

export function visibilityFor(role: StaffRole, isRevealAsked: boolean): Visibility {
  const revealingRoles: readonly StaffRole[] = hqPermissions.revealMember

  return isRevealAsked && revealingRoles.includes(role) ? 'revealed' : 'masked'
}

/** A surname and stars: enough to greet, not enough to look someone up. */
export function maskName(name: string | null): string | null {
  return name ? `${name.slice(0, 1)}${'*'.repeat(Math.max(1, name.length - 1))}` : null
}

/** `MM-DD`: enough to wish a happy birthday, not enough to tell an age. */
export function maskBirthday(birthday: string | null): string | null {
  return birthday ? birthday.slice(-5) : null
}

/** The personal fields a view shows; what the audit entry of a read names. */
export const viewedFields = ['phone', 'name', 'birthday', 'tier', 'points', 'lastVisit']

export function viewMember(
  member: MemberDoc,
  homeStore: StoreRef | null,
  visibility: Visibility,
): MemberView {
  const isMasked = visibility === 'masked'

  return {
    memberId: member._id,
    memberNo: member.memberNo,
    phone: isMasked ? maskMobile(member.phone) : member.phone,
    name: isMasked ? maskName(member.name) : member.name,
    birthday: isMasked ? maskBirthday(member.birthday) : member.birthday,
    tier: member.tier,
    points: member.points,
    visitCount: member.visitCount,
    lastVisitAt: member.lastVisitAt ? formatBusinessTime(member.lastVisitAt) : null,
    homeStore,
    isMasked,
  }
}
