import type { z } from 'zod'
import { errorMessages } from '../../typings/errors'
import { labelField } from '../../typings/field-labels'

type Issue = z.core.$ZodIssue

/**
 * The message of INVALID_INPUT: which field, in the words people use for it, and what is wrong
 * with it. Only the first issue is told; fixing it and sending again shows the next.
 */
export function describeInvalidInput(error: z.ZodError, event: unknown): string {
  const issue = chooseIssue(error.issues)
  if (issue?.code === 'unrecognized_keys') return `多了不认识的内容（${issue.keys.join('、')}）`
  if (!issue || issue.path.length === 0) return errorMessages.INVALID_INPUT

  const action = valueAt(event, ['action'])
  const field = nameField(action, issue.path)
  if (!field) return `${errorMessages.INVALID_INPUT}（${issue.path.join('.') || '内容'}）`

  if (issue.path.length === 1 && issue.path[0] === 'action') {
    return action === undefined ? '请填写操作' : `没有这项操作（${String(action)}）`
  }
  if (valueAt(event, issue.path) === undefined) return `请填写${field}`

  // A schema's own message is written for people already (`调整积分不能为 0`).
  if (hasChinese(issue.message)) {
    if (issue.message.includes(field)) return issue.message

    return /^[不须只至最]/.test(issue.message)
      ? field + issue.message
      : `${field}：${issue.message}`
  }

  return `${field}${describeProblem(issue)}`
}

/**
 * The first issue, unless it is zod's own safe-integer range of an `int()` and the schema's own
 * bound of the same field follows: 1e20 fen is past both, and only the schema's is the limit a
 * person may use.
 */
function chooseIssue(issues: readonly Issue[]): Issue | undefined {
  const [first] = issues
  if (first?.code !== 'too_big' && first?.code !== 'too_small') return first
  if (first.origin !== 'int') return first

  const samePath = (other: Issue) => other.path.join('.') === first.path.join('.')

  return (
    issues.find((other) => other !== first && other.code === first.code && samePath(other)) ?? first
  )
}

function describeProblem(issue: Issue): string {
  const isMoney = String(issue.path.at(-1) ?? '').endsWith('Fen')

  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? '须是整数' : '的格式不对'
    case 'too_small':
      return describeTooSmall(issue, isMoney)
    case 'too_big':
      return describeTooBig(issue, isMoney)
    case 'invalid_value':
      return '不是可选的值'
    case 'custom':
      return '的内容不对'
    default:
      return '的格式不对'
  }
}

function describeTooSmall(issue: Extract<Issue, { code: 'too_small' }>, isMoney: boolean) {
  const minimum = Number(issue.minimum)

  if (issue.origin === 'string') return minimum <= 1 ? '不能为空' : `至少 ${minimum} 个字`
  if (issue.origin === 'array') return `至少要有 ${minimum} 项`
  if (minimum === 0) return issue.inclusive ? '不能是负数' : '须大于 0'

  return `不能小于 ${isMoney ? `${minimum / 100} 元` : minimum}`
}

function describeTooBig(issue: Extract<Issue, { code: 'too_big' }>, isMoney: boolean) {
  const maximum = Number(issue.maximum)

  if (issue.origin === 'string') return `最多 ${maximum} 个字`
  if (issue.origin === 'array') return `最多 ${maximum} 项`

  return `不能超过 ${isMoney ? `${maximum / 100} 元` : maximum}`
}

/** `会员名单第 2 项`, `等级门槛（会员等级规则第 1 项）`: list items are counted from one. */
function nameField(action: unknown, path: readonly PropertyKey[]): string | undefined {
  const label = labelField(action, path)
  if (!label) return undefined

  const last = path.at(-1)
  if (typeof last === 'number') return `${label}第 ${last + 1} 项`

  const index = path.at(-2)
  if (typeof index !== 'number') return label

  const list = labelField(action, path.slice(0, -2))

  return list ? `${label}（${list}第 ${index + 1} 项）` : label
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (inner, key) =>
      inner && typeof inner === 'object' ? (inner as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  )
}

function hasChinese(text: string): boolean {
  return /[\u4e00-\u9fff]/.test(text)
}
