import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import {
  refundResultSchema,
  scanResultSchema,
  spendResultSchema,
  type ScanResult,
} from '../../../../../typings'
import { ErrorNotice, OkNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { makeOrderNo } from '../../../utils/china-time'
import { describeYuanProblem, parseYuanToFen } from '../../../utils/money'
import { ActionButton } from '../../../components/action-button'
import { LabelledField } from '../../../components/labelled-field'

/** At the counter: spend a scanned member's points on an order, or refund an order of this store. */
export default function StaffPointsPage() {
  const [code, setCode] = useState('')
  const [scan, setScan] = useState<ScanResult | null>(null)
  const [pointsText, setPointsText] = useState('')
  const [orderNo, setOrderNo] = useState(() => makeOrderNo(Date.now()))
  const [refundOrderNo, setRefundOrderNo] = useState('')
  const [refundNo, setRefundNo] = useState('')
  const [refundText, setRefundText] = useState('')
  const [isBusy, setIsBusy] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  /** Each action starts from a clean page: an old success next to a new error misleads. */
  function fail(message: string) {
    setNotice(null)
    setError(message)
  }

  async function lookUp() {
    if (!code.trim()) {
      fail('请输入或扫描会员码')
      return
    }

    setNotice(null)
    setError(null)
    setIsBusy(true)
    const event = { action: 'scan' as const, code: code.trim() }
    const result = await callFunction('staff', event, scanResultSchema)
    setIsBusy(false)
    if (!result.ok) {
      setScan(null)
      fail(result.error.message)
      return
    }

    setScan(result.data)
  }

  async function spend() {
    const points = Number(pointsText)
    if (!scan || !/^\d+$/.test(pointsText.trim()) || points <= 0) {
      fail('请输入要抵扣的积分，须为正整数')
      return
    }
    if (points > scan.member.points) {
      fail(`会员只有 ${scan.member.points} 积分可用`)
      return
    }
    if (!orderNo.trim()) {
      fail('请输入订单号')
      return
    }

    setNotice(null)
    setError(null)
    setIsBusy(true)
    const event = {
      action: 'spendPoints' as const,
      visitToken: scan.visitToken,
      points,
      orderNo: orderNo.trim(),
    }
    const result = await callFunction('staff', event, spendResultSchema)
    setIsBusy(false)
    if (!result.ok) {
      fail(result.error.message)
      return
    }

    setNotice(`已抵扣 ${points} 积分，剩余 ${result.data.balance} 积分`)
    setScan({ ...scan, member: { ...scan.member, points: result.data.balance } })
    setPointsText('')
    setOrderNo(makeOrderNo(Date.now()))
  }

  async function refund() {
    const amountProblem = describeYuanProblem(refundText, '退款金额')
    const amountFen = parseYuanToFen(refundText)
    if (!refundOrderNo.trim() || !refundNo.trim()) {
      fail('请输入订单号、退款单号和退款金额')
      return
    }
    if (amountProblem || amountFen === null) {
      fail(amountProblem ?? '请输入退款金额')
      return
    }

    setNotice(null)
    setError(null)
    setIsBusy(true)
    // The 退款单号 from the POS receipt tells a second partial refund from a retry of the first.
    const event = {
      action: 'refund' as const,
      orderNo: refundOrderNo.trim(),
      refundNo: refundNo.trim(),
      amountFen,
    }
    const result = await callFunction('staff', event, refundResultSchema)
    setIsBusy(false)
    if (!result.ok) {
      fail(result.error.message)
      return
    }

    // The next refund comes with a receipt and a 退款单号 of its own.
    setRefundNo('')
    setRefundText('')
    // The refund may have taken points from the member scanned above, whose 可用 would then be
    // stale; the next spend starts from a new scan.
    setScan(null)
    setPointsText('')
    const { pointsReversed, shortfall } = result.data
    setNotice(
      `已扣回 ${pointsReversed} 积分` +
        (shortfall > 0 ? `，${shortfall} 分已被使用，由本店承担` : ''),
    )
  }

  return (
    <View className='page' data-testid='staff-points-page'>
      <View className='section'>
        <Text className='section__title'>积分抵扣</Text>
        <View className='field'>
          <Text className='field__label'>会员码</Text>
          <Input
            className='field__input'
            data-testid='points-code-input'
            type='number'
            placeholder='输入或扫描 20 位会员码'
            maxlength={32}
            value={code}
            onInput={(e) => setCode(e.detail.value)}
            onConfirm={lookUp}
          />
        </View>
        <ActionButton
          className='button button--primary'
          data-testid='points-scan'
          disabled={isBusy}
          onClick={lookUp}
        >
          查询
        </ActionButton>
        {scan && (
          <View className='list-item' data-testid='points-scan-result'>
            <Text className='list-item__title'>{scan.member.maskedPhone}</Text>
            <Text className='list-item__meta'>可用 {scan.member.points} 积分</Text>
            <LabelledField
              label='抵扣积分'
              testId='spend-points-input'
              type='number'
              placeholder='例如 100'
              value={pointsText}
              onInput={(value) => setPointsText(value)}
            />
            <LabelledField
              label='订单号'
              testId='spend-order-input'
              maxLength={64}
              value={orderNo}
              onInput={(value) => setOrderNo(value)}
            />
            <ActionButton
              className='button button--primary'
              data-testid='spend-points'
              disabled={isBusy}
              onClick={spend}
            >
              抵扣
            </ActionButton>
          </View>
        )}
      </View>

      <View className='section'>
        <Text className='section__title'>退款扣回积分</Text>
        <Text className='field__hint'>只能退本店的订单；已被使用的积分由本店承担</Text>
        <LabelledField
          label='订单号'
          testId='refund-order-input'
          placeholder='本店的订单号'
          maxLength={64}
          value={refundOrderNo}
          onInput={(value) => setRefundOrderNo(value)}
        />
        <LabelledField
          label='退款单号'
          testId='refund-no-input'
          placeholder='见收银小票'
          maxLength={64}
          value={refundNo}
          onInput={(value) => setRefundNo(value)}
        />
        <LabelledField
          label='金额（元）'
          testId='refund-amount-input'
          type='digit'
          placeholder='例如 12.34'
          value={refundText}
          onInput={(value) => setRefundText(value)}
        />
        <ActionButton
          className='button button--ghost'
          data-testid='refund-submit'
          disabled={isBusy}
          onClick={refund}
        >
          退款
        </ActionButton>
      </View>

      <OkNotice message={notice} testId='staff-points-notice' />
      <ErrorNotice message={error} testId='staff-points-error' />
    </View>
  )
}
