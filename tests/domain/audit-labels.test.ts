import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import {
  auditActionLabels,
  auditFieldLabels,
  describeAuditActor,
} from '../../miniprogram/src/hq/pages/audit/audit-labels'

const domainDir = path.join(__dirname, '../../cloudfunctions/domain')

/** The domain files that write the audit log, as source text. */
function readAuditingSources(): string[] {
  return readdirSync(domainDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(domainDir, file), 'utf8'))
    .filter((source) => /from '\.\/audit'/.test(source))
}

function matchAll(sources: string[], pattern: RegExp): string[] {
  return [...new Set(sources.flatMap((source) => [...source.matchAll(pattern)].map((m) => m[1])))]
}

describe('the audit page’s Chinese labels', () => {
  const sources = readAuditingSources()

  it('labels every action the domain writes to the audit log', () => {
    const written = matchAll(sources, /action: '([\w.]+)'/g)
    // The reads of a member view pass their action to the function that audits them.
    const viewed = matchAll(sources, /answerView\([^)]*'(\w+)'/g)
    const actions = [...written, ...viewed]

    expect(actions).toEqual(expect.arrayContaining(['scan', 'refund', 'revealMember']))
    expect(actions.filter((action) => !auditActionLabels[action])).toEqual([])
  })

  it('labels every field an entry names', () => {
    const lists = matchAll(sources, /(?:fields: |Fields = |fields = )\[([^\]]*)\]/g)
    const fields = lists.flatMap((list) => [...list.matchAll(/'(\w+)'/g)].map((m) => m[1]))

    expect(fields).toEqual(expect.arrayContaining(['points', 'coupons', 'phone']))
    expect(fields.filter((field) => !auditFieldLabels[field])).toEqual([])
  })

  it('names a clerk by role and store, a member as themselves and a timer by its job', () => {
    const stores = new Map([['s367', '鲜邻超市·徐汇区店']])
    const clerk = { openid: 'o-clerk-s367', role: 'clerk', storeId: 's367' }
    const member = { openid: 'member:M1', role: 'member', storeId: null }
    const timer = { openid: 'system:birthdayGreeting', role: 'system', storeId: null }
    const hq = { openid: 'o-hq-admin', role: 'hq_admin', storeId: null }

    expect(describeAuditActor(clerk, stores)).toBe('店员 · 鲜邻超市·徐汇区店')
    expect(describeAuditActor(member, stores)).toBe('会员本人')
    expect(describeAuditActor(timer, stores)).toBe('系统 · 生日礼任务')
    expect(describeAuditActor(hq, stores)).toBe('总部管理员')
  })
})
