import { Button, Input, Text, View } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import {
  pointsRulesSchema,
  staffProfileSchema,
  tierNames,
  type PointsRules,
  type StaffProfile,
} from '../../../../../typings'
import { ErrorNotice, OkNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { hqEditingRoles } from '../../../utils/staff-roles'
import { useChainPlaces } from '../../chain-places'
import { PromotionEditor, type PromotionDraft } from './promotion-editor'
import { LabelledField } from '../../../components/labelled-field'

/** One labelled number of the rules; read-only for those who may not save them. */

const MAX_POINTS_PER_YUAN = 100

/** What is wrong with 每元积分 as typed, in the words HQ needs to fix it; null when it is fine. */
function describePointsPerYuanProblem(text: string): string | null {
  const typed = text.trim()
  if (!typed) return '请填写每元积分，0 表示不积分'
  if (/^-/.test(typed)) return '每元积分不能是负数'
  if (/^\d*\.\d*$/.test(typed)) return '每元积分须为整数，不能有小数'
  if (!/^\d+$/.test(typed)) return '每元积分须为 0 或正整数'
  if (Number(typed) > MAX_POINTS_PER_YUAN) return `每元积分最多 ${MAX_POINTS_PER_YUAN}`

  return null
}

/**
 * HQ's earning, expiry and tier rules and the stores' promotions. Region managers and analysts
 * may read them; saving is refused by the function for them, so the page offers them no edits.
 * Promotions are changed in the page and saved with the rest, in one `updateRules`.
 */
export default function RulesPage() {
  const [profile, setProfile] = useState<StaffProfile | null>(null)
  const [rules, setRules] = useState<PointsRules | null>(null)
  const [draft, setDraft] = useState<PromotionDraft | null>(null)
  // As typed, apart from the rules: "-1" or "1.5" is shown as typed and named on 保存, not NaN.
  const [perYuanText, setPerYuanText] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const places = useChainPlaces()

  useLoad(async () => {
    const me = await callFunction('staff', { action: 'me' }, staffProfileSchema)
    if (me.ok) setProfile(me.data)

    const result = await callFunction('hq', { action: 'getRules' }, pointsRulesSchema)
    if (result.ok) showRules(result.data)
    else setError(result.error.message)
  })

  function showRules(shown: PointsRules) {
    setRules(shown)
    setPerYuanText(String(shown.earning.pointsPerYuan))
  }

  async function save() {
    if (!rules) return

    setNotice(null)
    setError(null)
    const perYuanProblem = describePointsPerYuanProblem(perYuanText)
    if (perYuanProblem) {
      setError(perYuanProblem)
      return
    }

    const pointsPerYuan = Number(perYuanText.trim())
    if (pointsPerYuan === 0) {
      const { confirm } = await Taro.showModal({
        title: '每元积分为 0',
        content: '保存后将停止全部门店的积分获取，会员消费不再获得积分。确定保存？',
        confirmText: '停止积分',
        confirmColor: '#b91c1c',
        cancelText: '再想想',
      })
      if (!confirm) return
    }

    const event = {
      action: 'updateRules' as const,
      rules: { ...rules, earning: { ...rules.earning, pointsPerYuan } },
    }
    const result = await callFunction('hq', event, pointsRulesSchema)
    if (result.ok) {
      showRules(result.data)
      setNotice('已保存，新规则对此后获得的积分生效')
    } else {
      setError(result.error.message)
    }
  }

  function applyPromotion(promotions: PointsRules['promotions']) {
    if (!rules) return

    setRules({ ...rules, promotions })
    setDraft(null)
    setError(null)
    setNotice('门店活动已修改，保存后生效')
  }

  const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : NaN)
  const isReadOnly = !profile || !hqEditingRoles.includes(profile.role)

  return (
    <View className='page' data-testid='hq-rules-page'>
      {rules && isReadOnly && (
        <Text className='notice notice--ok' data-testid='hq-rules-read-only'>
          只读：积分规则由总部管理员修改
        </Text>
      )}
      {rules && (
        <View>
          <View className='section'>
            <Text className='section__title'>积分获取</Text>
            <LabelledField
              type='number'
              label='每元积分'
              testId='rules-points-per-yuan'
              isReadOnly={isReadOnly}
              value={perYuanText}
              onInput={setPerYuanText}
            />
            <Text className='field__hint'>每消费 1 元（整元，角分不计）获得的积分</Text>
            <Text className='field__hint'>不积分的商品：{rules.earning.excludedNote}</Text>
          </View>

          <View className='section'>
            <Text className='section__title'>积分有效期</Text>
            <View className='field'>
              <Text className='field__label'>月数</Text>
              <Input
                className='field__input'
                data-testid='rules-expiry-months'
                type='number'
                placeholder='空为长期有效'
                disabled={isReadOnly}
                value={rules.expiry.months === null ? '' : String(rules.expiry.months)}
                onInput={(e) =>
                  setRules({
                    ...rules,
                    expiry: { months: e.detail.value ? number(e.detail.value) : null },
                  })
                }
              />
            </View>
            <Text className='field__hint'>获得当月之后第几个月的月底过期</Text>
          </View>

          <View className='section'>
            <Text className='section__title'>会员等级（每年 {rules.tierReviewDate} 复核）</Text>
            {rules.tiers.map((tier, index) => {
              const change = (changed: Partial<typeof tier>) => {
                const tiers = [...rules.tiers]
                tiers[index] = { ...tier, ...changed }
                setRules({ ...rules, tiers })
              }

              return (
                <View key={tier.tier} className='list-item'>
                  <Text className='list-item__title'>{tierNames[tier.tier]}</Text>
                  <LabelledField
                    type='number'
                    label='门槛积分'
                    isReadOnly={isReadOnly}
                    value={String(tier.threshold)}
                    onInput={(text) => change({ threshold: number(text) })}
                  />
                  <Text className='field__hint'>近 12 个月获得的积分达到即升入此等级</Text>
                  <LabelledField
                    type='number'
                    label='倍率（%）'
                    isReadOnly={isReadOnly}
                    value={String(tier.multiplierPercent)}
                    onInput={(text) => change({ multiplierPercent: number(text) })}
                  />
                  <LabelledField
                    label='生日礼遇'
                    placeholder='无'
                    isReadOnly={isReadOnly}
                    value={tier.birthdayGift}
                    onInput={(value) => change({ birthdayGift: value })}
                  />
                </View>
              )
            })}
          </View>

          <View className='section'>
            <Text className='section__title'>门店活动（上海时间，起止日期都含）</Text>
            {rules.promotions.length === 0 && <Text className='muted'>暂无</Text>}
            {rules.promotions.map((promotion, index) => (
              <View key={promotion.promotionId} className='list-item' data-testid='promotion-item'>
                <Text className='list-item__title'>{promotion.title}</Text>
                <Text className='list-item__meta'>
                  {promotion.startsOn} 至 {promotion.endsOn}，积分 ×
                  {promotion.multiplierPercent / 100}
                </Text>
                <Text className='list-item__meta'>
                  {promotion.storeIds.length} 家门店：{promotion.storeIds.slice(0, 5).join('、')}
                  {promotion.storeIds.length > 5 ? ' 等' : ''}
                </Text>
                {!isReadOnly && (
                  <View className='button-row'>
                    <Button
                      className='button button--ghost button--small'
                      data-testid='promotion-edit'
                      onClick={() => setDraft({ index, promotion })}
                    >
                      修改
                    </Button>
                    <Button
                      className='button button--danger button--small'
                      data-testid='promotion-remove'
                      onClick={() =>
                        applyPromotion(rules.promotions.filter((_, other) => other !== index))
                      }
                    >
                      删除
                    </Button>
                  </View>
                )}
              </View>
            ))}
            {!isReadOnly &&
              (draft ? (
                <PromotionEditor
                  // Another promotion chosen while one is open starts from that one's fields.
                  key={draft.index ?? 'new'}
                  draft={draft}
                  promotions={rules.promotions}
                  places={places}
                  onApply={applyPromotion}
                  onCancel={() => setDraft(null)}
                />
              ) : (
                <Button
                  className='button button--ghost'
                  data-testid='promotion-add'
                  onClick={() => setDraft({ index: null, promotion: null })}
                >
                  添加门店活动
                </Button>
              ))}
          </View>

          {!isReadOnly && (
            <Button className='button button--primary' data-testid='hq-rules-save' onClick={save}>
              保存
            </Button>
          )}
        </View>
      )}
      <OkNotice message={notice} testId='hq-rules-notice' />
      <ErrorNotice message={error} testId='hq-rules-error' />
    </View>
  )
}
