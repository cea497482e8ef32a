import { Button, Input, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import {
  couponTemplatesSchema,
  errorCodeSchema,
  errorMessages,
  issueResultSchema,
  staffProfileSchema,
  type CouponTemplate,
  type IssueResult,
  type StaffProfile,
} from '../../../../../typings'
import { LinkItem } from '../../../components/link-item'
import { ErrorNotice, OkNotice } from '../../../components/notice'
import { SettlementView } from '../../../components/settlement-view'
import { SwitchIdentityLink } from '../../../components/switch-identity'
import { routes } from '../../../config'
import { callFunction } from '../../../services/cloud'
import { useRequestKey } from '../../../services/request-key'
import { formatFen } from '../../../utils/money'
import { hqEditingRoles, hqReadingRoles } from '../../../utils/staff-roles'
import { nameRegion, nameStore, useChainPlaces, type ChainPlaces } from '../../chain-places'
import { bearers, kindNames, TemplateForm } from './template-form'
import { LabelledField } from '../../../components/labelled-field'

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

/** Where and how long a template's coupons hold, places by the names HQ knows them by. */
function describeTerms(template: CouponTemplate, places: ChainPlaces): string {
  const validity =
    template.validFrom && template.validTo
      ? `${template.validFrom} 至 ${template.validTo}`
      : `领取后 ${template.validDays ?? 0} 天`
  const stores =
    template.stores === 'all'
      ? '全部门店'
      : Array.isArray(template.stores)
        ? `${template.stores.length} 家门店：${describeStores(template.stores, places)}`
        : `${nameRegion(places, template.stores.regionId)}区域`
  const limit = template.perMemberLimit === null ? '' : ` · 每人 ${template.perMemberLimit} 张`
  const exchange = template.exchangePoints === null ? '' : ` · ${template.exchangePoints} 积分兑换`

  return `${validity} · ${stores}${limit}${exchange}`
}

function describeStores(storeIds: string[], places: ChainPlaces): string {
  const named = storeIds.slice(0, 5).map((storeId) => nameStore(places, storeId))

  return `${named.join('、')}${storeIds.length > 5 ? ' 等' : ''}`
}

/** Why a member got no coupon, in the words the error table gives each code. */
function describeRefusal(code: string): string {
  const known = errorCodeSchema.safeParse(code)

  return known.success ? errorMessages[known.data] : errorMessages.INTERNAL
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
  const [refusal, setRefusal] = useState<{ message: string; isStoreManager: boolean } | null>(null)
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
    // The console is HQ's and region managers': anyone else has no templates to be empty.
    if (!me.ok || !hqReadingRoles.includes(me.data.role)) {
      const isStoreManager = me.ok && me.data.role === 'store_manager'
      setRefusal({
        message: isStoreManager
          ? '优惠券与结算是总部的页面；本店的月度结算在「本店结算」。'
          : '优惠券与结算是总部的页面，当前身份不能查看。请切换为总部或区域经理身份。',
        isStoreManager,
      })
      return
    }

    setProfile(me.data)
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

  const canEdit = profile ? hqEditingRoles.includes(profile.role) : false

  if (refusal) {
    return (
      <View className='page page--center' data-testid='hq-coupons-page'>
        <Text className='notice notice--error' data-testid='hq-coupons-refused'>
          {refusal.message}
        </Text>
        {refusal.isStoreManager && (
          <LinkItem
            title='本店结算'
            meta='本店每月的券核销与积分往来，导出 CSV'
            url={routes.staffSettlement}
            testId='settlement-link'
          />
        )}
        <SwitchIdentityLink />
      </View>
    )
  }

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
            <Text className='list-item__meta' data-testid='coupon-template-terms'>
              {describeTerms(template, places)}
            </Text>
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
          <LabelledField
            label='模板编号'
            testId='issue-template-input'
            value={templateId}
            onInput={(value) => chooseTemplate(value)}
          />
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
        <SettlementView fn='hq' stores={places.stores} />
      </View>

      <OkNotice message={notice} testId='hq-coupons-notice' />
      <ErrorNotice message={error} testId='hq-coupons-error' />
    </View>
  )
}
