import type { z } from 'zod'
import { hqEventSchema, memberEventSchema, staffEventSchema } from '../../typings'
import { labelField } from '../../typings/field-labels'
import { startTestCloud, type TestCloud } from '../support/test-cloud'

let env: TestCloud

beforeAll(async () => {
  env = await startTestCloud()
})

afterAll(async () => {
  await env.close()
})

/** Every key of an event schema, however deep: objects, lists, unions, optional and defaults. */
function collectKeys(schema: z.ZodType, keys = new Set<string>(), seen = new Set<unknown>()) {
  if (seen.has(schema)) return keys
  seen.add(schema)

  const def = schema._zod.def as unknown as Record<string, any>
  const inner = [def.innerType, def.element, def.in, def.out, def.valueType, def.left, def.right]
  for (const [key, value] of Object.entries(def.shape ?? {})) {
    keys.add(key)
    collectKeys(value as z.ZodType, keys, seen)
  }
  for (const child of [...inner, ...(def.options ?? []), ...(def.items ?? [])]) {
    if (child?._zod) collectKeys(child, keys, seen)
  }

  return keys
}

describe('the field labels of INVALID_INPUT', () => {
  const eventSchemas = { member: memberEventSchema, staff: staffEventSchema, hq: hqEventSchema }

  it.each(Object.entries(eventSchemas))(
    'has a Chinese label for every field of %s',
    (_, schema) => {
      const keys = [...collectKeys(schema)]
      const unlabelled = keys.filter((key) => !labelField(undefined, [key]))

      expect(keys).toContain('action')
      expect(keys.length).toBeGreaterThan(3)
      expect(unlabelled).toEqual([])
    },
  )

  it('finds the keys nested in lists of objects, such as a promotion’s stores', () => {
    const keys = collectKeys(hqEventSchema)

    expect([...keys]).toEqual(expect.arrayContaining(['promotions', 'storeIds', 'threshold']))
  })
})

describe('what a person reads when an event is refused', () => {
  it('names the amount in Chinese and says it may not be negative, writing nothing', async () => {
    const before = env.snapshot()
    const event = { action: 'refund', orderNo: 'B-100', amountFen: -100 }
    const answer = await env.call('staff', event, 'o-clerk-sA')

    expect(answer.error).toEqual({ code: 'INVALID_INPUT', message: '金额不能是负数' })
    expect(env.snapshot()).toBe(before)
  })

  it('asks for a field that is missing', async () => {
    const answer = await env.call('staff', { action: 'refund', orderNo: 'B-100' }, 'o-clerk-sA')

    expect(answer.error).toEqual({ code: 'INVALID_INPUT', message: '请填写金额' })
  })

  it('says an amount of fen must be whole, and tells the largest amount in yuan', async () => {
    const fraction = { action: 'refund', orderNo: 'B-100', amountFen: 1.5 }
    const huge = { action: 'refund', orderNo: 'B-100', amountFen: 10_000_000_000 }

    expect((await env.call('staff', fraction, 'o-clerk-sA')).error.message).toBe('金额须是整数')
    expect((await env.call('staff', huge, 'o-clerk-sA')).error.message).toBe(
      '金额不能超过 1000000 元',
    )
  })

  it('tells the real limit of an amount past the safe integers, not the integers’ own', async () => {
    const huge = { action: 'refund', orderNo: 'B-100', amountFen: 1e20 }
    const hugelyNegative = { action: 'refund', orderNo: 'B-100', amountFen: -1e20 }

    expect((await env.call('staff', huge, 'o-clerk-sA')).error).toEqual({
      code: 'INVALID_INPUT',
      message: '金额不能超过 1000000 元',
    })
    expect((await env.call('staff', hugelyNegative, 'o-clerk-sA')).error.message).toBe(
      '金额不能是负数',
    )
  })

  it('counts the item of a list from one', async () => {
    const event = { action: 'issueCoupons', templateId: 'T1', memberIds: ['M1', 'not an id'] }
    const answer = await env.call('hq', event, 'o-region-east')

    expect(answer.error).toEqual({ code: 'INVALID_INPUT', message: '会员名单第 2 项的格式不对' })
  })

  it('keeps a schema’s own Chinese words and names the field they are about', async () => {
    const event = { action: 'settlement', month: '2026-13' }
    const zero = { action: 'adjustPoints', memberId: 'M1', points: 0, reason: '补录积分' }

    expect((await env.call('hq', event, 'o-region-east')).error.message).toBe('月份的格式不对')
    expect((await env.call('hq', zero, 'o-region-east')).error.message).toBe('调整积分不能为 0')
  })

  it('names an unknown field and an unknown action as they were sent', async () => {
    const extra = await env.call('member', { action: 'code', extra: 1 }, 'o-wang')
    const unknown = await env.call('staff', { action: 'nosuch' }, 'o-clerk-sA')

    expect(extra.error).toEqual({ code: 'INVALID_INPUT', message: '多了不认识的内容（extra）' })
    expect(unknown.error).toEqual({ code: 'INVALID_INPUT', message: '没有这项操作（nosuch）' })
  })

  it('tells an invitation code from a card code by the action', async () => {
    const scan = await env.call('staff', { action: 'scan', code: '' }, 'o-clerk-sA')
    const invitation = { action: 'acceptInvitation', code: '' }
    const accept = await env.call('staff', invitation, 'o-newcomer')

    expect(scan.error.message).toBe('会员码不能为空')
    expect(accept.error.message).toBe('邀请码是 8 位数字或字母')
  })
})
