import { z } from 'zod'
import { idSchema, isoTimeSchema, storeRefSchema, tierSchema } from './common'

/** Staff, roles, member views and the audit log (issue 4): events of `staff` and `hq`. */

export const staffRoleSchema = z.enum([
  'clerk',
  'store_manager',
  'region_manager',
  'hq_admin',
  'hq_analyst',
])

export type StaffRoleName = z.infer<typeof staffRoleSchema>

/** Roles a store manager may invite into their own store. */
export const invitableRoleSchema = z.enum(['clerk'])

/** Read as upper case before the check: a code typed from a chat message often is not. */
export const invitationCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{8}$/, '邀请码是 8 位数字或字母')

export const staffAdminEventSchemas = [
  z.strictObject({ action: z.literal('memberDetail'), memberId: idSchema }),
  z.strictObject({
    action: z.literal('inviteStaff'),
    name: z.string().trim().min(1).max(40),
    role: invitableRoleSchema.default('clerk'),
  }),
  z.strictObject({ action: z.literal('acceptInvitation'), code: invitationCodeSchema }),
  /** The staff of the caller's scope by openid, a page at a time. */
  z.strictObject({ action: z.literal('team'), cursor: idSchema.optional() }),
  z.strictObject({ action: z.literal('todayVisits') }),
  /** The members whose home store is in the caller's scope, masked, a page at a time. */
  z.strictObject({ action: z.literal('members'), cursor: idSchema.optional() }),
] as const

export const upsertStaffEventSchema = z.strictObject({
  action: z.literal('upsertStaff'),
  openid: z.string().trim().min(1).max(128),
  name: z.string().trim().min(1).max(40),
  role: staffRoleSchema,
  /** Required for clerks and store managers; ignored (null) for the other roles. */
  storeId: idSchema.nullable().optional(),
  /** Required for region managers; a store's staff take their store's region. */
  regionId: idSchema.nullable().optional(),
  isActive: z.boolean().default(true),
})

export type UpsertStaffEvent = z.infer<typeof upsertStaffEventSchema>

export const auditLogEventSchema = z.strictObject({
  action: z.literal('auditLog'),
  memberId: idSchema.optional(),
  staffOpenid: z.string().min(1).max(128).optional(),
  storeId: idSchema.optional(),
  auditAction: z.string().min(1).max(64).optional(),
  from: isoTimeSchema.optional(),
  to: isoTimeSchema.optional(),
  /** The `_id` of the last entry of the previous page. */
  cursor: z.string().min(1).max(128).optional(),
})

export type AuditLogEvent = z.infer<typeof auditLogEventSchema>

export const staffAdminHqEventSchemas = [
  upsertStaffEventSchema,
  z.strictObject({ action: z.literal('findMember'), phone: z.string().trim().min(5).max(32) }),
  z.strictObject({ action: z.literal('revealMember'), memberId: idSchema }),
  auditLogEventSchema,
  z.strictObject({
    action: z.literal('exportMembers'),
    /** Members of one home store; absent: the whole chain. */
    storeId: idSchema.optional(),
    /** `nextCursor` of the previous page. */
    cursor: idSchema.optional(),
  }),
] as const

/** One page of HQ's member export as a CSV file; `nextCursor` names the next page, if any. */
export const memberExportSchema = z.object({
  filename: z.string(),
  csv: z.string(),
  count: z.number().int(),
  nextCursor: z.string().nullable(),
})

export type MemberExport = z.infer<typeof memberExportSchema>

/** A member as a member of staff sees them: masked unless revealed by a role allowed to. */
export const memberViewSchema = z.object({
  memberId: z.string(),
  memberNo: z.string(),
  phone: z.string(),
  name: z.string().nullable(),
  /** `MM-DD` when masked, `YYYY-MM-DD` when revealed. */
  birthday: z.string().nullable(),
  tier: tierSchema,
  points: z.number().int(),
  visitCount: z.number().int(),
  lastVisitAt: isoTimeSchema.nullable(),
  homeStore: storeRefSchema.nullable(),
  isMasked: z.boolean(),
})

export type MemberView = z.infer<typeof memberViewSchema>

export const teamMemberSchema = z.object({
  openid: z.string(),
  name: z.string(),
  role: staffRoleSchema,
  storeId: z.string().nullable(),
  regionId: z.string().nullable(),
  isActive: z.boolean(),
})

export type TeamMember = z.infer<typeof teamMemberSchema>

/** A member of staff as the team list shows them, with the names of their store and region. */
export const teamEntrySchema = teamMemberSchema.extend({
  storeName: z.string().nullable(),
  regionName: z.string().nullable(),
})

export type TeamEntry = z.infer<typeof teamEntrySchema>

export const teamPageSchema = z.object({
  members: z.array(teamEntrySchema),
  /** The openid to pass as `cursor` for the next page; null on the last. */
  nextCursor: z.string().nullable(),
})

export type TeamPage = z.infer<typeof teamPageSchema>

export const invitationSchema = z.object({ code: z.string(), expiresAt: isoTimeSchema })

export type Invitation = z.infer<typeof invitationSchema>

export const auditEntrySchema = z.object({
  entryId: z.string(),
  at: isoTimeSchema,
  actor: z.object({ openid: z.string(), role: z.string(), storeId: z.string().nullable() }),
  action: z.string(),
  memberId: z.string().nullable(),
  fields: z.array(z.string()),
  requestId: z.string(),
})

export type AuditEntry = z.infer<typeof auditEntrySchema>

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
})

export type AuditPage = z.infer<typeof auditPageSchema>

export const storeVisitSchema = z.object({
  visitId: z.string(),
  at: isoTimeSchema,
  orderNo: z.string(),
  amountFen: z.number().int(),
  pointsEarned: z.number().int(),
  refundedFen: z.number().int(),
  clerkOpenid: z.string(),
})

export type StoreVisit = z.infer<typeof storeVisitSchema>

export const memberPageSchema = z.object({
  members: z.array(memberViewSchema),
  nextCursor: z.string().nullable(),
})

export type MemberPage = z.infer<typeof memberPageSchema>
