import { Button, Input, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import {
  couponTemplatesSchema,
  errorCodeSchema,
  errorMessages,
  issueResultSchema,
  settlementCsvSchema,
  settlementReportSchema,
  staffProfileSchema,
  type CouponTemplate,
  type IssueResult,
  type SettlementReport,
  type StaffProfile,
} from '../../../../../typings'
import { ErrorNotice, OkNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { useRequestKey } from '../../../services/request-key'
import { formatShanghaiDate } from '../../../utils/china-time'
import { formatFen } from '../../../utils/money'
import { hqEditingRoles } from '../../../utils/staff-roles'
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

/** Why a member got no coupon, in the words the error table gives each code. */
function describeRefusal(code: string): string {
  const known = errorCodeSchema.safeParse(code)

  return known.success ? errorMessages[known.data] : errorMessages.INTERNAL
}

const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/

/** The settlement's parties as HQ reads them: a store by its name when the report has one. */
function nameParties(report: SettlementReport): (party: string) => string {
  const names = new Map<string, string>()
  for (const row of report.stores) {
    if (row.name) names.set(row.storeId, row.name)
  }

  return (party) => (party === 'hq' ? '总部' : (names.get(party) ?? party))
}

/**
 * HQ's coupons: templates of every kind with their stock, issuing to members, and the monthly
 * settlement between stores with its CSV export. Segments of members to issue to come with
 * campaigns; until then coupons go to the members listed by id. Region managers and analysts read
 * the templates and the settlement; only an HQ admin is offered the forms that change them.
 */
export default function CouponsPage() {
  const [profile, setProfile] = useState<StaffProfile | null>(null)
  const [templates, setTemplates] = useState<CouponTemplate[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [templateId, setTemplateId] = useState('')
  const [memberIdsText, setMemberIdsText] = useState('')
  const [issued, setIssued] = useState<IssueResult | null>(null)
  const [month, setMonth] = useState(formatShanghaiDate(Date.now()).slice(0, 7))
  const [storeId, setStoreId] = useState('')
  const [report, setReport] = useState<SettlementReport | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const places = useChainPlaces()
  // One batch, one key: a second tap after a lost answer issues nothing twice.
  const issueKey = useRequestKey('issue')

  /** Each action starts from a clean page: an old message next to a new answer misleads. */
  function startAction() {
    setNotice(null)
    setError(null)
  }

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

  useLoad(async () => {
    const me = await callFunction('staff', { action: 'me' }, staffProfileSchema)
    if (me.ok) setProfile(me.data)
    await loadTemplates()
  })

  async function onCreated(id: string) {
    startAction()
    setNotice(`已新建券模板 ${id}`)
    chooseTemplate(id)
    await loadTemplates()
  }

  async function issue() {
    const memberIds = memberIdsText.split(/[\s,，]+/).filter(Boolean)
    startAction()
    setIssued(null)
    if (!templateId.trim() || memberIds.length === 0) {
      setError('请填写模板编号和至少一个会员编号')
      return
    }

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
    setIssued(result.data)
    await loadTemplates()
  }

  const settlementEvent = (format: 'json' | 'csv') => ({
    action: 'settlement' as const,
    month: month.trim(),
    ...(storeId.trim() ? { storeId: storeId.trim() } : {}),
    format,
  })

  /** The month as the function takes it, or an error shown and false. */
  function checkMonth(): boolean {
    startAction()
    if (MONTH_PATTERN.test(month.trim())) return true

    setError('月份须写作 YYYY-MM，如 2026-12')
    return false
  }

  async function loadSettlement() {
    if (!checkMonth()) return

    setReport(null)
    const result = await callFunction('hq', settlementEvent('json'), settlementReportSchema)
    if (result.ok) setReport(result.data)
    else setError(result.error.message)
  }

  async function exportCsv() {
    if (!checkMonth()) return

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
    setNotice(`已导出 ${result.data.filename}`)
  }

  const canEdit = profile ? hqEditingRoles.includes(profile.role) : false
  const partyName = report ? nameParties(report) : (party: string) => party

  return (
    <View className='page' data-testid='hq-coupons-page'>
      <View className='section'>
        <Text className='section__title'>券模板与库存</Text>
        {templates.length === 0 && <Text className='muted'>还没有券模板</Text>}
        {templates.map((template) => (
          <View
            key={template.templateId}
            className='list-item list-item--action'
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
      </View>

      {canEdit && (
        <View className='section'>
          <Text className='section__title'>新建券模板</Text>
          <TemplateForm places={places} onCreated={onCreated} />
        </View>
      )}

      {canEdit && (
        <View className='section'>
          <Text className='section__title'>发券</Text>
          <Text className='field__hint'>点上面的券模板即填入它的编号</Text>
          <View className='field'>
            <Text className='field__label'>模板编号</Text>
            <Input
              className='field__input'
              data-testid='issue-template-input'
              value={templateId}
              onInput={(e) => chooseTemplate(e.detail.value)}
            />
          </View>
          <View className='field'>
            <Text className='field__label'>会员编号</Text>
            <Input
              className='field__input'
              data-testid='issue-members-input'
              placeholder='用空格或逗号分隔'
              value={memberIdsText}
              onInput={(e) => {
                issueKey.settle()
                setMemberIdsText(e.detail.value)
              }}
            />
          </View>
          <Button className='button button--primary' data-testid='issue-coupons' onClick={issue}>
            发放
          </Button>
          {issued && (
            <View className='result' data-testid='issue-result'>
              <Text className='result__title'>
                已发 {issued.issued.length} 张，未发 {issued.refused.length} 人
              </Text>
              {issued.refused.map((refusal) => (
                <Text key={refusal.memberId} data-testid='issue-refusal'>
                  {refusal.memberId}：{describeRefusal(refusal.code)}
                </Text>
              ))}
            </View>
          )}
        </View>
      )}

      <View className='section'>
        <Text className='section__title'>门店结算</Text>
        <View className='field'>
          <Text className='field__label'>月份</Text>
          <Input
            className='field__input'
            data-testid='settlement-month-input'
            placeholder='YYYY-MM'
            value={month}
            onInput={(e) => setMonth(e.detail.value)}
          />
        </View>
        <View className='field'>
          <Text className='field__label'>门店编号</Text>
          <Input
            className='field__input'
            data-testid='settlement-store-input'
            placeholder='空为全部门店'
            value={storeId}
            onInput={(e) => setStoreId(e.detail.value)}
          />
        </View>
        <View className='button-row'>
          <Button
            className='button button--primary'
            data-testid='load-settlement'
            onClick={loadSettlement}
          >
            查看
          </Button>
          <Button
            className='button button--ghost'
            data-testid='export-settlement'
            onClick={exportCsv}
          >
            导出 CSV
          </Button>
        </View>
      </View>

      <OkNotice message={notice} testId='hq-coupons-notice' />
      <ErrorNotice message={error} testId='hq-coupons-error' />

      {report && (
        <View className='section' data-testid='settlement-report'>
          <Text className='list-item__meta' data-testid='settlement-totals'>
            {report.month} 共核销 {report.totals.redemptions} 张，优惠{' '}
            {formatFen(report.totals.couponFen)} 元
          </Text>
          {report.stores.length === 0 && <Text className='muted'>本月没有结算记录</Text>}
          {report.stores.map((row) => (
            <View key={row.storeId} className='list-item' data-testid='settlement-store'>
              <Text className='list-item__title'>{partyName(row.storeId)}</Text>
              <Text className='list-item__meta'>
                为他店核销 {formatFen(row.redeemedForOthersFen)} 元 · 他店为本店核销{' '}
                {formatFen(row.redeemedByOthersFen)} 元
              </Text>
              <Text className='list-item__meta'>
                积分发放 {row.pointsCreated} · 积分消耗 {row.pointsConsumed}
              </Text>
            </View>
          ))}
          {report.pairs.length > 0 && <Text className='section__title'>应付</Text>}
          {report.pairs.map((pair) => (
            <Text
              key={`${pair.from}-${pair.to}`}
              className='list-item__meta'
              data-testid='settlement-pair'
            >
              {partyName(pair.from)} 应付 {partyName(pair.to)}：{formatFen(pair.couponFen)} 元，
              {pair.points} 积分
            </Text>
          ))}
        </View>
      )}
    </View>
  )
}
