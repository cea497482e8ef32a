import { Button, Input, Text, View } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import {
  purchaseResultSchema,
  redeemedCouponSchema,
  scanResultSchema,
  staffProfileSchema,
  tierNames,
  type PurchaseResult,
  type RedeemedCoupon,
  type ScanResult,
  type StaffProfile,
} from '../../../../../typings'
import { LinkItem } from '../../../components/link-item'
import { ErrorNotice } from '../../../components/notice'
import { SwitchIdentityLink } from '../../../components/switch-identity'
import { isWeapp, routes } from '../../../config'
import { callFunction } from '../../../services/cloud'
import {
  counterRoles,
  hqEditingRoles,
  hqReadingRoles,
  roleTitles,
} from '../../../utils/staff-roles'
import { formatShanghaiMinute, makeOrderNo } from '../../../utils/china-time'
import { describeYuanProblem, formatFen, parseYuanToFen } from '../../../utils/money'
import { TodaysVisits } from './todays-visits'
import { ActionButton } from '../../../components/action-button'
import { LabelledField } from '../../../components/labelled-field'

/** Where the caller works: their store, a region manager's region, or the whole chain for HQ. */
function describeWorkplace(profile: StaffProfile): string {
  if (profile.store) return profile.store.name
  if (profile.role === 'region_manager') {
    return profile.regionName ? `${profile.regionName}区域` : (profile.regionId ?? '未分配区域')
  }

  return '全部门店'
}

/** What the members page does for each role that may open it, as that page offers it. */
const membersLinkMeta: Record<Exclude<StaffProfile['role'], 'clerk'>, string> = {
  store_manager: '本店的会员：积分、等级与到店次数',
  region_manager: '本区域的会员，按手机号查找，可显示完整信息',
  hq_admin: '全部会员，按手机号查找、显示完整信息、调整积分、导出名单',
  hq_analyst: '全部会员，按手机号查找（只读）',
}

/** The pages the caller's role may open, as the permission table grants their actions. */
function StaffLinks({ role }: { role: StaffProfile['role'] }) {
  const canWorkCounter = counterRoles.includes(role)
  const isManager = role !== 'clerk'
  const isStoreManager = role === 'store_manager'
  const readsHq = hqReadingRoles.includes(role)
  const readOnly = hqEditingRoles.includes(role) ? '' : '（只读）'

  return (
    <View className='section' data-testid='staff-links'>
      <Text className='section__title'>更多</Text>
      {canWorkCounter && (
        <LinkItem
          title='积分抵扣与退款'
          meta='用积分抵扣订单金额；退款时扣回这笔订单的积分'
          url={routes.staffPoints}
          testId='points-link'
        />
      )}
      {isManager && (
        <LinkItem
          title='员工管理'
          meta='查看员工，邀请新店员'
          url={routes.staffTeam}
          testId='team-link'
        />
      )}
      {role !== 'clerk' && (
        <LinkItem
          title='会员'
          meta={membersLinkMeta[role]}
          url={routes.staffMembers}
          testId='members-link'
        />
      )}
      {isStoreManager && (
        <LinkItem
          title='本店结算'
          meta='本店每月的券核销与积分往来，导出 CSV'
          url={routes.staffSettlement}
          testId='settlement-link'
        />
      )}
      {readsHq && (
        <LinkItem
          title='积分规则'
          meta={`积分获取、有效期、会员等级与门店活动${readOnly}`}
          url={routes.hqRules}
          testId='rules-link'
        />
      )}
      {readsHq && (
        <LinkItem
          title='优惠券与结算'
          meta={
            readOnly
              ? '券模板与库存、门店间的月度结算（只读）'
              : '券模板与库存、发券、门店间的月度结算'
          }
          url={routes.hqCoupons}
          testId='coupons-link'
        />
      )}
      {readsHq && (
        <LinkItem
          title='审计日志'
          meta='谁在何时读取或修改了会员资料'
          url={routes.hqAudit}
          testId='audit-link'
        />
      )}
    </View>
  )
}

export default function StaffHomePage() {
  const [profile, setProfile] = useState<StaffProfile | null>(null)
  const [code, setCode] = useState('')
  const [scan, setScan] = useState<ScanResult | null>(null)
  const [orderNo, setOrderNo] = useState('')
  const [amountText, setAmountText] = useState('')
  const [purchase, setPurchase] = useState<PurchaseResult | null>(null)
  const [redeemed, setRedeemed] = useState<RedeemedCoupon | null>(null)
  // The recorded purchase keeps 记账 greyed for this scan; its green box goes with the next action.
  const [isPurchaseShown, setIsPurchaseShown] = useState(false)
  const [isBusy, setIsBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useLoad(async () => {
    const result = await callFunction('staff', { action: 'me' }, staffProfileSchema)
    if (result.ok) setProfile(result.data)
    else setError(result.error.message)
  })

  /** Each action starts from a clean page: an old success next to a new refusal misleads. */
  function startAction() {
    setError(null)
    setIsPurchaseShown(false)
    setRedeemed(null)
  }

  async function lookUp(scannedCode: string) {
    startAction()
    const trimmed = scannedCode.trim()
    if (!trimmed) {
      setError('请输入或扫描会员码')
      return
    }

    setIsBusy(true)
    setPurchase(null)
    setRedeemed(null)
    const result = await callFunction('staff', { action: 'scan', code: trimmed }, scanResultSchema)
    setIsBusy(false)

    if (!result.ok) {
      setScan(null)
      setError(result.error.message)
      return
    }

    setScan(result.data)
    setOrderNo(makeOrderNo(Date.now()))
    setAmountText('')
  }

  async function scanWithCamera() {
    try {
      const { result } = await Taro.scanCode({ scanType: ['barCode', 'qrCode'] })
      setCode(result)
      await lookUp(result)
    } catch {
      startAction()
      setError('没有扫到会员码')
    }
  }

  async function recordPurchase() {
    if (!scan) return

    startAction()
    const amountFen = parseYuanToFen(amountText)
    const amountProblem = describeYuanProblem(amountText)
    if (amountProblem || amountFen === null) {
      setError(amountProblem ?? '请输入金额')
      return
    }

    setIsBusy(true)
    const result = await callFunction(
      'staff',
      { action: 'recordPurchase', visitToken: scan.visitToken, orderNo: orderNo.trim(), amountFen },
      purchaseResultSchema,
    )
    setIsBusy(false)

    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setPurchase(result.data)
    setIsPurchaseShown(true)
    // The summary above the form shows the member after this purchase, not as at the scan: the
    // purchase is their visit here, and a first purchase makes this their home store.
    const store = profile?.store ?? null
    const visited = store ? { at: new Date().toISOString(), store } : scan.member.lastVisit
    setScan({
      ...scan,
      member: {
        ...scan.member,
        points: result.data.balance,
        homeStore: scan.member.homeStore ?? store,
        lastVisit: visited,
      },
    })
  }

  /** One tap: the coupon goes on the order number and amount typed for this purchase. */
  async function redeemCoupon(couponId: string) {
    if (!scan) return

    startAction()
    const amountFen = amountText ? parseYuanToFen(amountText) : undefined
    const amountProblem = amountText ? describeYuanProblem(amountText) : null
    if (amountProblem || amountFen === null) {
      setError(amountProblem ?? '请输入金额')
      return
    }

    setIsBusy(true)
    const event = {
      action: 'redeemCoupon' as const,
      visitToken: scan.visitToken,
      couponId,
      orderNo: orderNo.trim(),
      ...(amountFen === undefined ? {} : { amountFen }),
    }
    const result = await callFunction('staff', event, redeemedCouponSchema)
    setIsBusy(false)

    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setRedeemed(result.data)
    const usableCoupons = scan.member.usableCoupons.filter((coupon) => coupon.couponId !== couponId)
    setScan({ ...scan, member: { ...scan.member, usableCoupons } })
  }

  const member = scan?.member
  // Only the counter's roles may scan; the others come here for the links below.
  const isCounter = !profile || counterRoles.includes(profile.role)

  return (
    <View className='page' data-testid='staff-home'>
      <View className='hero' data-testid='staff-profile'>
        <Text className='hero__title'>{profile ? profile.name : '门店工作台'}</Text>
        <Text className='hero__subtitle'>
          {profile
            ? `${roleTitles[profile.role]} · ${describeWorkplace(profile)}`
            : '正在读取员工信息…'}
        </Text>
      </View>

      {isCounter && (
        <View className='section'>
          <Text className='section__title'>会员码</Text>
          <View className='field'>
            <Input
              className='field__input'
              data-testid='scan-input'
              type='number'
              placeholder='输入或扫描 20 位会员码'
              maxlength={32}
              value={code}
              onInput={(event) => setCode(event.detail.value)}
              onConfirm={() => lookUp(code)}
            />
          </View>
          <View className='button-row'>
            {isWeapp && (
              <Button className='button button--ghost' onClick={scanWithCamera}>
                扫码
              </Button>
            )}
            <ActionButton
              className='button button--primary'
              data-testid='scan-button'
              disabled={isBusy}
              onClick={() => lookUp(code)}
            >
              查询
            </ActionButton>
          </View>
        </View>
      )}

      <ErrorNotice message={error} testId='staff-error' />

      {member && (
        <View className='section' data-testid='scan-result'>
          <Text className='section__title'>会员</Text>
          <View className='list-item'>
            <View className='list-item__row'>
              <Text className='list-item__title' data-testid='scan-phone'>
                {member.maskedPhone}
              </Text>
              <Text className='badge' data-testid='scan-tier'>
                {tierNames[member.tier]}
              </Text>
            </View>
            <Text className='list-item__meta'>
              积分 <Text data-testid='scan-points'>{member.points}</Text>
              {member.name ? ` · ${member.name}` : ''}
            </Text>
            <Text className='list-item__meta'>
              开卡门店：{member.homeStore ? member.homeStore.name : '—'}
            </Text>
            <Text className='list-item__meta' data-testid='scan-last-visit'>
              上次到店：
              {member.lastVisit
                ? `${formatShanghaiMinute(member.lastVisit.at)} ${member.lastVisit.store.name}`
                : '首次到店'}
            </Text>
            {member.usableCoupons.map((coupon) => (
              <View key={coupon.couponId} className='list-item__row' data-testid='scan-coupon'>
                <Text className='list-item__meta'>
                  {coupon.title}
                  {coupon.minSpendFen > 0 ? `（满 ${formatFen(coupon.minSpendFen)} 元）` : ''}
                </Text>
                <ActionButton
                  className='button button--ghost'
                  data-testid='redeem-coupon'
                  disabled={isBusy}
                  onClick={() => redeemCoupon(coupon.couponId)}
                >
                  核销
                </ActionButton>
              </View>
            ))}
            {redeemed && (
              <Text className='list-item__meta' data-testid='redeem-result'>
                已核销 {redeemed.title}，优惠 {formatFen(redeemed.discountFen)} 元
              </Text>
            )}
          </View>

          <Text className='section__title'>记账</Text>
          <LabelledField
            label='订单号'
            testId='order-no-input'
            maxLength={64}
            value={orderNo}
            onInput={(value) => setOrderNo(value)}
          />
          <View className='field'>
            <Text className='field__label'>订单金额（元，用券前）</Text>
            <Input
              className='field__input'
              data-testid='amount-input'
              type='digit'
              placeholder='例如 12.34'
              value={amountText}
              onInput={(event) => setAmountText(event.detail.value)}
            />
            <Text className='field__hint'>本单用了券时，券抵扣的部分不积分</Text>
          </View>
          <ActionButton
            className='button button--primary'
            data-testid='purchase-submit'
            disabled={isBusy || purchase !== null}
            onClick={recordPurchase}
          >
            记账
          </ActionButton>
        </View>
      )}

      {purchase && isPurchaseShown && (
        <View className='result' data-testid='purchase-result'>
          <Text className='result__title'>记账成功</Text>
          <Text>
            本次积分 +<Text data-testid='purchase-points'>{purchase.pointsEarned}</Text>
            ，当前积分 <Text data-testid='purchase-balance'>{purchase.balance}</Text>
          </Text>
          <Text className='muted'>记录号 {purchase.visitId}</Text>
        </View>
      )}

      <TodaysVisits refreshKey={purchase?.visitId ?? null} />
      {profile && <StaffLinks role={profile.role} />}
      <SwitchIdentityLink />
    </View>
  )
}
