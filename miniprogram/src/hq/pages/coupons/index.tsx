import { Button, Input, Picker, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { z } from 'zod'
import {
  couponTemplatesSchema,
  issueResultSchema,
  settlementCsvSchema,
  settlementReportSchema,
  type CostBearer,
  type CouponTemplate,
  type IssueResult,
  type SettlementReport,
} from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { useRequestKey } from '../../../services/request-key'
import { formatFen, parseYuanToFen } from '../../../utils/money'

const bearers: Array<{ value: CostBearer; label: string }> = [
  { value: 'hq', label: '总部承担' },
  { value: 'issuer', label: '发券门店承担' },
  { value: 'redeemer', label: '核销门店承担' },
]

/**
 * HQ's coupons: templates with their stock, issuing to members, and the monthly settlement
 * between stores with its CSV export. The form makes cash coupons with N days of validity.
 * TODO(#6): discount and gift templates, fixed dates and store lists are made through the hq
 * function until the form grows them; segments come with campaigns.
 */
export default function CouponsPage() {
  const [templates, setTemplates] = useState<CouponTemplate[]>([])
  const [title, setTitle] = useState('')
  const [valueText, setValueText] = useState('')
  const [minSpendText, setMinSpendText] = useState('')
  const [daysText, setDaysText] = useState('30')
  const [stockText, setStockText] = useState('')
  const [bearerIndex, setBearerIndex] = useState(0)
  const [templateId, setTemplateId] = useState('')
  const [memberIdsText, setMemberIdsText] = useState('')
  const [issued, setIssued] = useState<IssueResult | null>(null)
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7))
  const [storeId, setStoreId] = useState('')
  const [report, setReport] = useState<SettlementReport | null>(null)
  const [error, setError] = useState<string | null>(null)
  // One batch, one key: a second tap after a lost answer issues nothing twice.
  const issueKey = useRequestKey('issue')

  /** Another template or other members is another batch, with a key of its own. */
  function chooseTemplate(id: string) {
    issueKey.settle()
    setTemplateId(id)
  }

  async function loadTemplates() {
    const result = await callFunction('hq', { action: 'couponTemplates' }, couponTemplatesSchema)
    if (result.ok) setTemplates(result.data.templates)
    else setError(result.error.message)
  }

  useLoad(loadTemplates)

  async function create() {
    const valueFen = parseYuanToFen(valueText)
    const minSpendFen = minSpendText ? parseYuanToFen(minSpendText) : 0
    if (!title.trim() || !valueFen || minSpendFen === null || !/^\d+$/.test(daysText)) {
      setError('请填写名称、面值和有效天数')
      return
    }

    const result = await callFunction(
      'hq',
      {
        action: 'createCouponTemplate',
        title: title.trim(),
        kind: 'cash',
        valueFen,
        minSpendFen,
        validDays: Number(daysText),
        ...(stockText ? { stock: Number(stockText) } : {}),
        costBearer: bearers[bearerIndex].value,
      },
      z.object({ templateId: z.string() }),
    )
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    chooseTemplate(result.data.templateId)
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
            {template.templateId} · {bearers.find((b) => b.value === template.costBearer)?.label}
          </Text>
        </View>
      ))}

      <Text className='section-title'>新建现金券</Text>
      <Input
        className='field__input'
        placeholder='名称'
        value={title}
        onInput={(e) => setTitle(e.detail.value)}
      />
      <Input
        className='field__input'
        placeholder='面值（元）'
        value={valueText}
        onInput={(e) => setValueText(e.detail.value)}
      />
      <Input
        className='field__input'
        placeholder='最低消费（元，可空）'
        value={minSpendText}
        onInput={(e) => setMinSpendText(e.detail.value)}
      />
      <Input
        className='field__input'
        placeholder='领取后有效天数'
        value={daysText}
        onInput={(e) => setDaysText(e.detail.value)}
      />
      <Input
        className='field__input'
        placeholder='总库存（可空）'
        value={stockText}
        onInput={(e) => setStockText(e.detail.value)}
      />
      <Picker
        mode='selector'
        range={bearers.map((bearer) => bearer.label)}
        value={bearerIndex}
        onChange={(e) => setBearerIndex(Number(e.detail.value))}
      >
        <Text className='list-item__meta'>成本：{bearers[bearerIndex].label}</Text>
      </Picker>
      <Button className='button button--primary' data-testid='create-template' onClick={create}>
        新建
      </Button>

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
