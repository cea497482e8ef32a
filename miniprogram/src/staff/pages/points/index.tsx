import { Button, Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import {
  refundResultSchema,
  scanResultSchema,
  spendResultSchema,
  type ScanResult,
} from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { makeOrderNo } from '../../../utils/china-time'
import { parseYuanToFen } from '../../../utils/money'

/** At the counter: spend a scanned member's points on an order, or refund an order of this store. */
export default function StaffPointsPage() {
  const [code, setCode] = useState('')
  const [scan, setScan] = useState<ScanResult | null>(null)
  const [pointsText, setPointsText] = useState('')
  const [orderNo, setOrderNo] = useState(() => makeOrderNo(Date.now()))
  const [refundOrderNo, setRefundOrderNo] = useState('')
  const [refundNo, setRefundNo] = useState('')
  const [refundText, setRefundText] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function lookUp() {
    setError(null)
    const result = await callFunction(
      'staff',
      { action: 'scan', code: code.trim() },
      scanResultSchema,
    )
    if (result.ok) setScan(result.data)
    else setError(result.error.message)
  }

  async function spend() {
    const points = Number(pointsText)
    if (!scan || !Number.isInteger(points) || points <= 0) {
      setError('请输入要抵扣的整数积分')
      return
    }

    const event = { action: 'spendPoints' as const, visitToken: scan.visitToken, points, orderNo }
    const result = await callFunction('staff', event, spendResultSchema)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    setNotice(`已抵扣 ${points} 积分，剩余 ${result.data.balance} 积分`)
    setOrderNo(makeOrderNo(Date.now()))
  }

  async function refund() {
    const amountFen = parseYuanToFen(refundText)
    if (!refundOrderNo.trim() || !refundNo.trim() || !amountFen) {
      setError('请输入订单号、退款单号和退款金额')
      return
    }

    // The 退款单号 from the POS receipt tells a second partial refund from a retry of the first.
    const event = {
      action: 'refund' as const,
      orderNo: refundOrderNo.trim(),
      refundNo: refundNo.trim(),
      amountFen,
    }
    const result = await callFunction('staff', event, refundResultSchema)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    // The next refund comes with a receipt and a 退款单号 of its own.
    setRefundNo('')
    setRefundText('')
    const { pointsReversed, shortfall } = result.data
    setNotice(
      `已扣回 ${pointsReversed} 积分` +
        (shortfall > 0 ? `，${shortfall} 分已被使用，由本店承担` : ''),
    )
  }

  return (
    <View className='page' data-testid='staff-points-page'>
      <Text className='section-title'>积分抵扣</Text>
      <Input
        className='input'
        placeholder='会员码'
        value={code}
        onInput={(e) => setCode(e.detail.value)}
      />
      <Button className='button' onClick={lookUp}>
        查询
      </Button>
      {scan && (
        <View className='card'>
          <Text>
            {scan.member.maskedPhone} · 可用 {scan.member.points} 积分
          </Text>
          <Input
            className='input'
            type='number'
            placeholder='抵扣积分'
            value={pointsText}
            onInput={(e) => setPointsText(e.detail.value)}
          />
          <Input className='input' value={orderNo} onInput={(e) => setOrderNo(e.detail.value)} />
          <Button className='button' data-testid='spend-points' onClick={spend}>
            抵扣
          </Button>
        </View>
      )}

      <Text className='section-title'>退款扣回积分</Text>
      <Input
        className='input'
        data-testid='refund-order-input'
        placeholder='本店订单号'
        value={refundOrderNo}
        onInput={(e) => setRefundOrderNo(e.detail.value)}
      />
      <Input
        className='input'
        data-testid='refund-no-input'
        placeholder='退款单号（见收银小票）'
        value={refundNo}
        onInput={(e) => setRefundNo(e.detail.value)}
      />
      <Input
        className='input'
        data-testid='refund-amount-input'
        type='digit'
        placeholder='退款金额（元）'
        value={refundText}
        onInput={(e) => setRefundText(e.detail.value)}
      />
      <Button className='button button--ghost' data-testid='refund-submit' onClick={refund}>
        退款
      </Button>

      {notice && (
        <Text className='muted' data-testid='staff-points-notice'>
          {notice}
        </Text>
      )}
      <ErrorNotice message={error} testId='staff-points-error' />
    </View>
  )
}
