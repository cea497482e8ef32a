import { Button, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { z } from 'zod'
import { promotionSchema, type Promotion } from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { makeRequestKey } from '../../../services/request-key'
import { formatShanghaiDate } from '../../../utils/china-time'
import { splitStoreIds, type ChainPlaces } from '../../chain-places'
import { LabelledField } from '../../../components/labelled-field'

/** The promotion being written: a new one (`index` null) or the one at `index` of the list. */
export interface PromotionDraft {
  index: number | null
  promotion: Promotion | null
}

interface PromotionFields {
  title: string
  multiplierText: string
  startsOn: string
  endsOn: string
  storeIdsText: string
}

/** The rules allow this many promotions at once. */
const MAX_PROMOTIONS = 50

const fieldLabels: Record<string, string> = {
  title: '活动名称',
  storeIds: '门店',
  multiplierPercent: '积分倍率',
  startsOn: '开始日期',
  endsOn: '结束日期',
}

/** What each field asks for, said when zod's own (English) message is all there is. */
const fieldRequirements: Record<string, string> = {
  title: '活动名称须为 1 到 32 个字',
  storeIds: '须有 1 到 500 家门店，编号只含字母、数字、- 和 _',
  multiplierPercent: '积分倍率须为 100 到 1000 的整数（%）',
  startsOn: '开始日期须写作 YYYY-MM-DD',
  endsOn: '结束日期须写作 YYYY-MM-DD',
}

function toFields(promotion: Promotion | null): PromotionFields {
  const today = formatShanghaiDate(Date.now())

  return {
    title: promotion?.title ?? '',
    multiplierText: promotion ? String(promotion.multiplierPercent) : '',
    startsOn: promotion?.startsOn ?? today,
    endsOn: promotion?.endsOn ?? today,
    storeIdsText: promotion?.storeIds.join(' ') ?? '',
  }
}

/** The first problem, in words for HQ: the schema's own Chinese messages, else the field's need. */
function describeIssue(issue: z.ZodIssue): string {
  const field = String(issue.path[0] ?? '')
  const label = fieldLabels[field] ?? field

  if (issue.code === 'custom') {
    return issue.message.startsWith(label) ? issue.message : `${label}${issue.message}`
  }

  return fieldRequirements[field] ?? `${label}填写有误`
}

/**
 * Adds or changes one store promotion in the page's copy of the rules; the rules page saves the
 * whole set. A region's button adds the stores the console knows in that region, so that HQ sees
 * and may trim the list the promotion will name.
 */
export function PromotionEditor(props: {
  draft: PromotionDraft
  promotions: Promotion[]
  places: ChainPlaces
  onApply(promotions: Promotion[]): void
  onCancel(): void
}) {
  const { draft, promotions, places } = props
  const [fields, setFields] = useState(() => toFields(draft.promotion))
  const [error, setError] = useState<string | null>(null)

  const update = (changed: Partial<PromotionFields>) => setFields({ ...fields, ...changed })

  function addRegion(storeIds: string[]) {
    update({
      storeIdsText: splitStoreIds(`${fields.storeIdsText} ${storeIds.join(' ')}`).join(' '),
    })
  }

  function apply() {
    if (draft.index === null && promotions.length >= MAX_PROMOTIONS) {
      setError(`门店活动最多 ${MAX_PROMOTIONS} 个，请先删除已结束的活动`)
      return
    }

    const storeIds = splitStoreIds(fields.storeIdsText)
    // Nothing else checks that a promotion's stores exist: a mistyped id would earn nothing.
    const unknown = places.storeIds.size ? storeIds.filter((id) => !places.storeIds.has(id)) : []
    if (unknown.length) {
      setError(`没有这些门店：${unknown.join(', ')}`)
      return
    }

    const parsed = promotionSchema.safeParse({
      promotionId: draft.promotion?.promotionId ?? makeRequestKey('promo'),
      title: fields.title,
      storeIds,
      multiplierPercent: /^\d+$/.test(fields.multiplierText) ? Number(fields.multiplierText) : NaN,
      startsOn: fields.startsOn.trim(),
      endsOn: fields.endsOn.trim(),
    })
    if (!parsed.success) {
      setError(describeIssue(parsed.error.issues[0]))
      return
    }

    const next = [...promotions]
    if (draft.index === null) next.push(parsed.data)
    else next[draft.index] = parsed.data
    props.onApply(next)
  }

  return (
    <View className='list-item' data-testid='promotion-editor'>
      <Text className='list-item__title'>
        {draft.index === null ? '新门店活动' : '修改门店活动'}
      </Text>
      <LabelledField
        label='名称'
        testId='promotion-title'
        value={fields.title}
        onInput={(title) => update({ title })}
      />
      <LabelledField
        label='倍率（%）'
        testId='promotion-multiplier'
        type='number'
        placeholder='150 即 ×1.5'
        value={fields.multiplierText}
        onInput={(multiplierText) => update({ multiplierText })}
      />
      <LabelledField
        label='开始日期'
        testId='promotion-starts'
        placeholder='YYYY-MM-DD'
        value={fields.startsOn}
        onInput={(startsOn) => update({ startsOn })}
      />
      <LabelledField
        label='结束日期'
        testId='promotion-ends'
        placeholder='YYYY-MM-DD，当天含'
        value={fields.endsOn}
        onInput={(endsOn) => update({ endsOn })}
      />
      <LabelledField
        label='门店编号'
        testId='promotion-stores'
        placeholder='用空格或逗号分隔'
        value={fields.storeIdsText}
        onInput={(storeIdsText) => update({ storeIdsText })}
      />
      {places.regions.length > 0 && (
        <View className='choice-row'>
          {places.regions.map((region) => (
            <Text
              key={region.regionId}
              className='choice'
              data-testid={`promotion-region-${region.regionId}`}
              onClick={() => addRegion(region.storeIds)}
            >
              + {region.name} {region.storeIds.length} 店
            </Text>
          ))}
        </View>
      )}
      <ErrorNotice message={error} testId='promotion-error' />
      <View className='button-row'>
        <Button className='button button--primary' data-testid='promotion-apply' onClick={apply}>
          确定
        </Button>
        <Button className='button button--ghost' onClick={props.onCancel}>
          取消
        </Button>
      </View>
    </View>
  )
}
