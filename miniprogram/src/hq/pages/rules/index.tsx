import { Button, Input, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { pointsRulesSchema, tierNames, type PointsRules } from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { useChainPlaces } from '../../chain-places'
import { PromotionEditor, type PromotionDraft } from './promotion-editor'

/**
 * HQ's earning, expiry and tier rules and the stores' promotions. Region managers and analysts
 * may read them; saving is refused by the function for them. Promotions are changed in the page
 * and saved with the rest, in one `updateRules`.
 */
export default function RulesPage() {
  const [rules, setRules] = useState<PointsRules | null>(null)
  const [draft, setDraft] = useState<PromotionDraft | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const places = useChainPlaces()

  useLoad(async () => {
    const result = await callFunction('hq', { action: 'getRules' }, pointsRulesSchema)
    if (result.ok) setRules(result.data)
    else setError(result.error.message)
  })

  async function save() {
    if (!rules) return

    const result = await callFunction('hq', { action: 'updateRules', rules }, pointsRulesSchema)
    if (result.ok) {
      setRules(result.data)
      setError(null)
      setNotice('已保存，新规则对此后获得的积分生效')
    } else {
      setNotice(null)
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

  return (
    <View className='page' data-testid='hq-rules-page'>
      {rules && (
        <View>
          <Text className='section-title'>积分获取</Text>
          <Text className='muted'>每消费 1 元（整元，角分不计）获得积分</Text>
          <Input
            className='input'
            type='number'
            value={String(rules.earning.pointsPerYuan)}
            onInput={(e) =>
              setRules({
                ...rules,
                earning: { ...rules.earning, pointsPerYuan: number(e.detail.value) },
              })
            }
          />
          <Text className='muted'>不积分的商品：{rules.earning.excludedNote}</Text>

          <Text className='section-title'>积分有效期</Text>
          <Text className='muted'>获得当月之后第几个月的月底过期</Text>
          <Input
            className='input'
            type='number'
            value={rules.expiry.months === null ? '' : String(rules.expiry.months)}
            onInput={(e) =>
              setRules({
                ...rules,
                expiry: { months: e.detail.value ? number(e.detail.value) : null },
              })
            }
          />

          <Text className='section-title'>会员等级（每年 {rules.tierReviewDate} 复核）</Text>
          {rules.tiers.map((tier, index) => (
            <View key={tier.tier} className='list-item'>
              <Text className='list-item__title'>{tierNames[tier.tier]}</Text>
              <Text className='muted'>门槛（近 12 个月积分）</Text>
              <Input
                className='input'
                type='number'
                value={String(tier.threshold)}
                onInput={(e) => {
                  const tiers = [...rules.tiers]
                  tiers[index] = { ...tier, threshold: number(e.detail.value) }
                  setRules({ ...rules, tiers })
                }}
              />
              <Text className='muted'>积分倍率（%）</Text>
              <Input
                className='input'
                type='number'
                value={String(tier.multiplierPercent)}
                onInput={(e) => {
                  const tiers = [...rules.tiers]
                  tiers[index] = { ...tier, multiplierPercent: number(e.detail.value) }
                  setRules({ ...rules, tiers })
                }}
              />
              <Text className='muted'>生日礼遇</Text>
              <Input
                className='input'
                value={tier.birthdayGift}
                onInput={(e) => {
                  const tiers = [...rules.tiers]
                  tiers[index] = { ...tier, birthdayGift: e.detail.value }
                  setRules({ ...rules, tiers })
                }}
              />
            </View>
          ))}

          <Text className='section-title'>门店活动（上海时间，起止日期都含）</Text>
          {rules.promotions.length === 0 && <Text className='muted'>暂无</Text>}
          {rules.promotions.map((promotion, index) => (
            <View key={promotion.promotionId} className='list-item' data-testid='promotion-item'>
              <Text className='list-item__title'>{promotion.title}</Text>
              <Text className='muted'>
                {promotion.startsOn} 至 {promotion.endsOn}，积分 ×
                {promotion.multiplierPercent / 100}（{promotion.storeIds.length} 家门店：
                {promotion.storeIds.slice(0, 5).join('、')}
                {promotion.storeIds.length > 5 ? ' 等' : ''}）
              </Text>
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
            </View>
          ))}
          {draft ? (
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
          )}

          <Button className='button' data-testid='hq-rules-save' onClick={save}>
            保存
          </Button>
        </View>
      )}
      {notice && <Text className='muted'>{notice}</Text>}
      <ErrorNotice message={error} testId='hq-rules-error' />
    </View>
  )
}
