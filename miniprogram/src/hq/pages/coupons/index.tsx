import { Button, Input, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import {
  couponTemplatesSchema,
  issueResultSchema,
  settlementCsvSchema,
  settlementReportSchema,
  type CouponTemplate,
  type IssueResult,
  type SettlementReport,
} from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { useRequestKey } from '../../../services/request-key'
import { formatShanghaiDate } from '../../../utils/china-time'
import { formatFen } from '../../../utils/money'
import { useChainPlaces } from '../../chain-places'
import { bearers, kindNames, TemplateForm } from './template-form'

/** What a template gives, as HQ reads it in the list. */
function describeOffer(template: CouponTemplate): string {
  const spend = template.minSpendFen ? `满 ${formatFen(template.minSpendFen)} 元` : '无门槛'
  const value = template.valueFen === null ? '' : formatFen(template.valueFen)
  if (template.kind === 'discount') {
    const cap =
      template.maxDiscountFen === null ? '' : `，最多减 ${formatFen(template.maxDiscountFen)} 元`

    // 85 percent paid is 8.5 折, as a price tag says it.
    return `${spend} ${(template.discountPercent ?? 0) / 10} 折${cap}`
  }
  if (template.kind === 'gift') return `${spend} 送礼品（成本 ${value} 元）`

  return `${spend} 减 ${value} 元`
}

function describeTerms(template: CouponTemplate): string {
  const validity =
    template.validFrom && template.validTo
      ? `${template.validFrom} 至 ${template.validTo}`
      : `领取后 ${template.validDays ?? 0} 天`
  const stores =
    template.stores === 'all'
      ? '全部门店'
      : Array.isArray(template.stores)
        ? `${template.stores.length} 家门店：${template.stores.slice(0, 5).join('、')}`
        : `区域 ${template.stores.regionId}`
  const limit = template.perMemberLimit === null ? '' : ` · 每人 ${template.perMemberLimit} 张`
  const exchange = template.exchangePoints === null ? '' : ` · ${template.exchangePoints} 积分兑换`

  return `${validity} · ${stores}${limit}${exchange}`
}

/**
 * HQ's coupons: templates of every kind with their stock, issuing to members, and the monthly
 * settlement between stores with its CSV export. Segments of members to issue to come with
 * campaigns; until then coupons go to the members listed by id.
 */
export default function CouponsPage() {
  const [templates, setTemplates] = useState<CouponTemplate[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [templateId, setTemplateId] = useState('')
  const [memberIdsText, setMemberIdsText] = useState('')
  const [issued, setIssued] = useState<IssueResult | null>(null)
  const [month, setMonth] = useState(formatShanghaiDate(Date.now()).slice(0, 7))
  const [storeId, setStoreId] = useState('')
  const [report, setReport] = useState<SettlementReport | null>(null)
  const [error, setError] = useState<string | null>(null)
  const places = useChainPlaces()
  // One batch, one key: a second tap after a lost answer issues nothing twice.
  const issueKey = useRequestKey('issue')

  /** Another template or other members is another batch, with a key of its own. */
  function chooseTemplate(id: string) {
    issueKey.settle()
    setTemplateId(id)
  }

  /** The first page replaces the list (after a change); a cursor's page is added below it. */
  async function loadTemplates(cursor: string | null = null) {
    const result = await callFunction(
      'hq',
      { action: 'couponTemplates', ...(cursor ? { cursor } : {}) },
      couponTemplatesSchema,
    )
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setTemplates((shown) => (cursor ? [...shown, ...result.data.templates] : result.data.templates))
    setNextCursor(result.data.nextCursor)
  }

  useLoad(() => loadTemplates())

  async function onCreated(id: string) {
    setError(null)
    chooseTemplate(id)
    await loadTemplates()
  }

  async function issue() {
    const memberIds = memberIdsText.split(/[\s,，]+/).filter(Boolean)
    const result = await callFunction(
      'hq',
      { action: 'issueCoupons', templateId, memberIds, issueNo: issueKey.current() },
      issueResultSchema,
    )
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    issueKey.settle()
    setError(null)
    setIssued(result.data)
    await loadTemplates()
  }

  const settlementEvent = (format: 'json' | 'csv') => ({
    action: 'settlement' as const,
    month,
    ...(storeId ? { storeId } : {}),
    format,
  })

  async function loadSettlement() {
    const result = await callFunction('hq', settlementEvent('json'), settlementReportSchema)
    if (result.ok) setReport(result.data)
    else setError(result.error.message)
  }

  async function exportCsv() {
    const result = await callFunction('hq', settlementEvent('csv'), settlementCsvSchema)
    if (!result.ok) {
      setError(result.error.message)
      return
    }
    if (process.env.TARO_ENV !== 'h5') {
      setError('请在网页版管理后台导出 CSV')
      return
    }

    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([result.data.csv], { type: 'text/csv' }))
    link.download = result.data.filename
    link.click()
  }

  return (
    <View className='page' data-testid='hq-coupons-page'>
      <ErrorNotice message={error} testId='hq-coupons-error' />

      <Text className='section-title'>券模板与库存</Text>
      {templates.map((template) => (
        <View
          key={template.templateId}
          className='list-item'
          data-testid='coupon-template'
          onClick={() => chooseTemplate(template.templateId)}
        >
          <View className='list-item__row'>
            <Text className='list-item__title'>{template.title}</Text>
            <Text className='list-item__points'>
              已发 {template.issued}
              {template.stock === null ? '' : ` / ${template.stock}`}
            </Text>
          </View>
          <Text className='list-item__meta'>
            <Text data-testid='coupon-template-kind'>{kindNames[template.kind]}</Text> ·{' '}
            {describeOffer(template)}
          </Text>
          <Text className='list-item__meta'>{describeTerms(template)}</Text>
          <Text className='list-item__meta'>
            {template.templateId} · {bearers.find((b) => b.value === template.costBearer)?.label}
          </Text>
        </View>
      ))}
      {nextCursor && (
        <Button
          className='button button--ghost'
          data-testid='templates-more'
          onClick={() => loadTemplates(nextCursor)}
        >
          更多
        </Button>
      )}

      <Text className='section-title'>新建券模板</Text>
      <TemplateForm places={places} onCreated={onCreated} />

      <Text className='section-title'>发券</Text>
      <Input
        className='field__input'
        placeholder='模板编号'
        value={templateId}
        onInput={(e) => chooseTemplate(e.detail.value)}
      />
      <Input
        className='field__input'
        placeholder='会员编号，用空格或逗号分隔'
        value={memberIdsText}
        onInput={(e) => {
          issueKey.settle()
          setMemberIdsText(e.detail.value)
        }}
      />
      <Button className='button button--primary' data-testid='issue-coupons' onClick={issue}>
        发放
      </Button>
      {issued && (
        <Text className='muted' data-testid='issue-result'>
          已发 {issued.issued.length} 张，未发 {issued.refused.length} 人
          {issued.refused.map((refusal) => `（${refusal.memberId}: ${refusal.code}）`).join('')}
        </Text>
      )}

      <Text className='section-title'>门店结算</Text>
      <Input
        className='field__input'
        placeholder='月份 YYYY-MM'
        value={month}
        onInput={(e) => setMonth(e.detail.value)}
      />
      <Input
        className='field__input'
        placeholder='门店编号（空为全部）'
        value={storeId}
        onInput={(e) => setStoreId(e.detail.value)}
      />
      <View className='button-row'>
        <Button
          className='button button--primary'
          data-testid='load-settlement'
          onClick={loadSettlement}
        >
          查看
        </Button>
        <Button className='button button--ghost' onClick={exportCsv}>
          导出 CSV
        </Button>
      </View>
      {report && (
        <View data-testid='settlement-report'>
          <Text className='muted'>
            共核销 {report.totals.redemptions} 张，优惠 {formatFen(report.totals.couponFen)} 元
          </Text>
          {report.stores.map((row) => (
            <Text key={row.storeId} className='list-item__meta'>
              {row.storeId}：为他店核销 {formatFen(row.redeemedForOthersFen)} 元，他店为本店核销{' '}
              {formatFen(row.redeemedByOthersFen)} 元，积分发放 {row.pointsCreated}，积分消耗{' '}
              {row.pointsConsumed}
            </Text>
          ))}
          {report.pairs.map((pair) => (
            <Text key={`${pair.from}-${pair.to}`} className='list-item__meta'>
              {pair.from} 应付 {pair.to}：{formatFen(pair.couponFen)} 元，{pair.points} 积分
            </Text>
          ))}
        </View>
      )}
    </View>
  )
}
