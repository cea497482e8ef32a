import { Picker, Text, View } from '@tarojs/components'
import { useState } from 'react'
import { z } from 'zod'
import {
  createCouponTemplateSchema,
  type CostBearer,
  type CouponKind,
  type CreateCouponTemplateInput,
} from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { useRequestKey } from '../../../services/request-key'
import { formatShanghaiDate } from '../../../utils/china-time'
import { describeYuanProblem, parseYuanToFen } from '../../../utils/money'
import { splitStoreIds, type ChainPlaces } from '../../chain-places'
import { ActionButton } from '../../../components/action-button'
import { LabelledField } from '../../../components/labelled-field'

export const kindNames: Record<CouponKind, string> = {
  cash: '现金券',
  discount: '折扣券',
  gift: '礼品券',
}

export const bearers: Array<{ value: CostBearer; label: string }> = [
  { value: 'hq', label: '总部承担' },
  { value: 'issuer', label: '发券门店承担' },
  { value: 'redeemer', label: '核销门店承担' },
]

type Validity = 'days' | 'dates'
type StoresChoice = 'all' | 'region' | 'list'

interface TemplateFields {
  title: string
  kind: CouponKind
  valueText: string
  discountText: string
  maxDiscountText: string
  minSpendText: string
  validity: Validity
  daysText: string
  validFrom: string
  validTo: string
  storesChoice: StoresChoice
  regionId: string
  storeIdsText: string
  stockText: string
  perMemberLimitText: string
  exchangePointsText: string
  bearerIndex: number
}

function emptyFields(): TemplateFields {
  return {
    title: '',
    kind: 'cash',
    valueText: '',
    discountText: '',
    maxDiscountText: '',
    minSpendText: '',
    validity: 'days',
    daysText: '30',
    validFrom: formatShanghaiDate(Date.now()),
    validTo: '',
    storesChoice: 'all',
    regionId: '',
    storeIdsText: '',
    stockText: '',
    perMemberLimitText: '',
    exchangePointsText: '',
    bearerIndex: 0,
  }
}

const fieldRequirements: Record<string, string> = {
  title: '名称须为 1 到 32 个字',
  valueFen: '面值须为大于 0 的金额（元）',
  discountPercent: '折扣须为 1 到 99 的整数（85 即八五折）',
  maxDiscountFen: '最高优惠须为大于 0 的金额（元）',
  minSpendFen: '最低消费须为金额（元）',
  validDays: '有效天数须为 1 到 3650 的整数',
  validFrom: '开始日期须写作 YYYY-MM-DD',
  validTo: '结束日期须写作 YYYY-MM-DD',
  stores: '门店编号只含字母、数字、- 和 _，最多 500 家',
  stock: '总库存须为正整数',
  perMemberLimit: '每人限领须为 1 到 1000 的整数',
  exchangePoints: '兑换积分须为正整数',
}

/** A number field left empty is absent; anything but digits is NaN, which the schema refuses. */
function optionalInteger(text: string): number | undefined {
  if (!text.trim()) return undefined

  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN
}

/** Money typed in yuan: empty is absent, anything that is not money is NaN. */
function optionalFen(text: string): number | undefined {
  if (!text.trim()) return undefined

  return parseYuanToFen(text) ?? NaN
}

function toStores(fields: TemplateFields): CreateCouponTemplateInput['stores'] {
  if (fields.storesChoice === 'all') return 'all'
  if (fields.storesChoice === 'region') return { regionId: fields.regionId.trim() }

  return splitStoreIds(fields.storeIdsText)
}

/** The event the form stands for, with only the fields of its kind and validity. */
function toEvent(fields: TemplateFields) {
  const isDiscount = fields.kind === 'discount'

  return {
    action: 'createCouponTemplate' as const,
    title: fields.title.trim(),
    kind: fields.kind,
    valueFen: isDiscount ? undefined : optionalFen(fields.valueText),
    discountPercent: isDiscount ? optionalInteger(fields.discountText) : undefined,
    maxDiscountFen: isDiscount ? optionalFen(fields.maxDiscountText) : undefined,
    minSpendFen: optionalFen(fields.minSpendText),
    validDays: fields.validity === 'days' ? optionalInteger(fields.daysText) : undefined,
    validFrom: fields.validity === 'dates' ? fields.validFrom.trim() : undefined,
    validTo: fields.validity === 'dates' ? fields.validTo.trim() : undefined,
    stores: toStores(fields),
    stock: optionalInteger(fields.stockText),
    perMemberLimit: optionalInteger(fields.perMemberLimitText),
    exchangePoints: optionalInteger(fields.exchangePointsText),
    costBearer: bearers[fields.bearerIndex].value,
  }
}

const dateLabels: Record<string, string> = { validFrom: '开始日期', validTo: '结束日期' }

/** The money fields, with the text each is typed in and its name. */
const moneyFields: Record<string, { text: keyof TemplateFields; label: string }> = {
  valueFen: { text: 'valueText', label: '金额' },
  maxDiscountFen: { text: 'maxDiscountText', label: '最高优惠' },
  minSpendFen: { text: 'minSpendText', label: '最低消费' },
}

/**
 * The first problem in words for HQ: the schema's own Chinese messages, what is wrong with a sum
 * of money as typed (a negative or too large one is not "missing"), else what the field needs.
 */
function describeIssue(issue: z.ZodIssue, fields: TemplateFields): string {
  const field = String(issue.path[0] ?? '')
  // The schema's "不是有效的日期" does not say which of the two dates it is.
  if (issue.code === 'custom' && dateLabels[field]) {
    return `${dateLabels[field]}${issue.message}，请写成 2026-03-01 这样`
  }
  if (issue.code === 'custom') return issue.message

  const money = moneyFields[field]
  const moneyProblem = money ? describeYuanProblem(String(fields[money.text]), money.label) : null

  return moneyProblem ?? fieldRequirements[field] ?? '请检查填写的内容'
}

function Choices<T extends string>(props: {
  options: Array<{ value: T; label: string }>
  value: T
  testIdPrefix: string
  onChoose(value: T): void
}) {
  return (
    <View className='choice-row'>
      {props.options.map((option) => (
        <Text
          key={option.value}
          className={`choice ${props.value === option.value ? 'choice--selected' : ''}`}
          data-testid={`${props.testIdPrefix}-${option.value}`}
          onClick={() => props.onChoose(option.value)}
        >
          {option.label}
        </Text>
      ))}
    </View>
  )
}

/**
 * The form for a new coupon template of any kind the hq function accepts. It checks the event
 * against the same schema the function parses, so most mistakes are named before anything is
 * sent; what only the function knows (a store that does not exist, a past end date) comes back as
 * its own message.
 */
export function TemplateForm(props: { places: ChainPlaces; onCreated(templateId: string): void }) {
  const { places } = props
  const [fields, setFields] = useState(emptyFields)
  const [isBusy, setIsBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const templateKey = useRequestKey('template')

  // Changed fields are another template: the key of the last intent must not stand for it.
  const update = (changed: Partial<TemplateFields>) => {
    templateKey.settle()
    setFields({ ...fields, ...changed })
  }

  async function create() {
    const event = { ...toEvent(fields), templateNo: templateKey.current() }
    const parsed = createCouponTemplateSchema.safeParse(event)
    if (!parsed.success) {
      setError(describeIssue(parsed.error.issues[0], fields))
      return
    }

    setIsBusy(true)
    const result = await callFunction('hq', parsed.data, z.object({ templateId: z.string() }))
    setIsBusy(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    templateKey.settle()
    setError(null)
    setFields(emptyFields())
    props.onCreated(result.data.templateId)
  }

  const isDiscount = fields.kind === 'discount'

  return (
    <View className='stack' data-testid='template-form'>
      <LabelledField
        label='名称'
        testId='template-title'
        value={fields.title}
        onInput={(title) => update({ title })}
      />
      <Text className='field__hint'>种类</Text>
      <Choices
        options={(Object.keys(kindNames) as CouponKind[]).map((value) => ({
          value,
          label: kindNames[value],
        }))}
        value={fields.kind}
        testIdPrefix='template-kind'
        onChoose={(kind) => update({ kind })}
      />
      {isDiscount ? (
        <View className='stack'>
          <LabelledField
            label='折扣（%）'
            testId='template-discount'
            placeholder='会员付的比例，85 即八五折'
            value={fields.discountText}
            onInput={(discountText) => update({ discountText })}
          />
          <LabelledField
            label='最高优惠（元）'
            testId='template-max-discount'
            value={fields.maxDiscountText}
            onInput={(maxDiscountText) => update({ maxDiscountText })}
          />
        </View>
      ) : (
        <LabelledField
          label={fields.kind === 'gift' ? '礼品成本（元）' : '面值（元）'}
          testId='template-value'
          value={fields.valueText}
          onInput={(valueText) => update({ valueText })}
        />
      )}
      <LabelledField
        label='最低消费（元）'
        testId='template-min-spend'
        placeholder='可空'
        value={fields.minSpendText}
        onInput={(minSpendText) => update({ minSpendText })}
      />

      <Text className='field__hint'>有效期（上海时间，结束日当天有效）</Text>
      <Choices
        options={[
          { value: 'days' as const, label: '领取后 N 天' },
          { value: 'dates' as const, label: '固定日期' },
        ]}
        value={fields.validity}
        testIdPrefix='template-validity'
        onChoose={(validity) => update({ validity })}
      />
      {fields.validity === 'days' ? (
        <LabelledField
          label='有效天数'
          testId='template-days'
          value={fields.daysText}
          onInput={(daysText) => update({ daysText })}
        />
      ) : (
        <View className='stack'>
          <LabelledField
            label='开始日期'
            testId='template-valid-from'
            placeholder='YYYY-MM-DD'
            value={fields.validFrom}
            onInput={(validFrom) => update({ validFrom })}
          />
          <LabelledField
            label='结束日期'
            testId='template-valid-to'
            placeholder='YYYY-MM-DD'
            value={fields.validTo}
            onInput={(validTo) => update({ validTo })}
          />
        </View>
      )}

      <Text className='field__hint'>适用门店</Text>
      <Choices
        options={[
          { value: 'all' as const, label: '全部门店' },
          { value: 'region' as const, label: '一个区域' },
          { value: 'list' as const, label: '指定门店' },
        ]}
        value={fields.storesChoice}
        testIdPrefix='template-stores'
        onChoose={(storesChoice) => update({ storesChoice })}
      />
      {fields.storesChoice === 'region' &&
        (places.regions.length ? (
          <Choices
            options={places.regions.map((region) => ({
              value: region.regionId,
              label: `${region.name}（${region.storeIds.length} 店）`,
            }))}
            value={fields.regionId}
            testIdPrefix='template-region'
            onChoose={(regionId) => update({ regionId })}
          />
        ) : (
          <LabelledField
            label='区域编号'
            testId='template-region-id'
            value={fields.regionId}
            onInput={(regionId) => update({ regionId })}
          />
        ))}
      {fields.storesChoice === 'list' && (
        <LabelledField
          label='门店编号'
          testId='template-store-ids'
          placeholder='用空格或逗号分隔'
          value={fields.storeIdsText}
          onInput={(storeIdsText) => update({ storeIdsText })}
        />
      )}

      <LabelledField
        label='总库存'
        testId='template-stock'
        placeholder='可空：不限'
        value={fields.stockText}
        onInput={(stockText) => update({ stockText })}
      />
      <LabelledField
        label='每人限领'
        testId='template-per-member'
        placeholder='可空：不限'
        value={fields.perMemberLimitText}
        onInput={(perMemberLimitText) => update({ perMemberLimitText })}
      />
      <LabelledField
        label='兑换积分'
        testId='template-exchange-points'
        placeholder='可空：不可兑换'
        value={fields.exchangePointsText}
        onInput={(exchangePointsText) => update({ exchangePointsText })}
      />
      <Picker
        mode='selector'
        range={bearers.map((bearer) => bearer.label)}
        value={fields.bearerIndex}
        onChange={(e) => update({ bearerIndex: Number(e.detail.value) })}
      >
        <View className='field' data-testid='template-bearer'>
          <Text className='field__label'>成本</Text>
          <Text className='field__value'>{bearers[fields.bearerIndex].label}</Text>
        </View>
      </Picker>
      <ErrorNotice message={error} testId='template-error' />
      <ActionButton
        className='button button--primary'
        data-testid='create-template'
        disabled={isBusy}
        onClick={create}
      >
        新建
      </ActionButton>
    </View>
  )
}
