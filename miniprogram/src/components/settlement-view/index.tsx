import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import {
  settlementCsvSchema,
  settlementReportSchema,
  type SettlementReport,
} from '../../../../typings'
import { callFunction } from '../../services/cloud'
import { formatShanghaiDate } from '../../utils/china-time'
import { downloadCsv } from '../../utils/download'
import { formatFen } from '../../utils/money'
import { ActionButton } from '../action-button'
import { ErrorNotice, OkNotice } from '../notice'
import { LabelledField } from '../labelled-field'

const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/

/** How many matching stores the store field offers under itself while one is typed. */
const SUGGESTED_STORES = 6

/** A store HQ may choose for the settlement, by the name people know it by. */
export interface SettlementStoreChoice {
  storeId: string
  name: string
}

interface SettlementViewProps {
  /**
   * `hq` settles the caller's scope and may narrow it to one store; `staff` settles the store
   * manager's own store, so there is no store to choose.
   */
  fn: 'hq' | 'staff'
  /** The stores HQ may choose from; typing a store id stays possible while they load. */
  stores?: SettlementStoreChoice[]
}

/** The settlement's parties as people read them: a store by its name when the report has one. */
function nameParties(report: SettlementReport): (party: string) => string {
  const names = new Map<string, string>()
  for (const row of report.stores) {
    if (row.name) names.set(row.storeId, row.name)
  }

  return (party) => (party === 'hq' ? '总部' : (names.get(party) ?? party))
}

/** The store typed: one whose name or id it is exactly, else the text as an id. */
function resolveStoreId(text: string, stores: SettlementStoreChoice[]): string {
  const typed = text.trim()
  const named = stores.find((store) => store.name === typed || store.storeId === typed)

  return named ? named.storeId : typed
}

/** The stores whose name or id holds what is typed, for a tap instead of the whole name. */
function suggestStores(text: string, stores: SettlementStoreChoice[]): SettlementStoreChoice[] {
  const typed = text.trim().toLowerCase()
  if (!typed) return stores.slice(0, SUGGESTED_STORES)

  return stores
    .filter(
      (store) => store.name.toLowerCase().includes(typed) || store.storeId.toLowerCase() === typed,
    )
    .slice(0, SUGGESTED_STORES)
}

/**
 * The monthly settlement between stores: a month, for HQ a store chosen by name, the stores'
 * figures and what each party owes another, and the same report as CSV. The HQ console and the
 * store manager's page show it alike; only the function called, and so the scope, differ.
 */
export function SettlementView({ fn, stores = [] }: SettlementViewProps) {
  const [month, setMonth] = useState(formatShanghaiDate(Date.now()).slice(0, 7))
  const [storeText, setStoreText] = useState('')
  const [isChoosingStore, setIsChoosingStore] = useState(false)
  const [report, setReport] = useState<SettlementReport | null>(null)
  const [isBusy, setIsBusy] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const storeId = fn === 'hq' ? resolveStoreId(storeText, stores) : ''

  const settlementEvent = (format: 'json' | 'csv') => ({
    action: 'settlement' as const,
    month: month.trim(),
    ...(storeId ? { storeId } : {}),
    format,
  })

  /** Each action starts from a clean view; the month as the function takes it, or an error. */
  function startAction(): boolean {
    setNotice(null)
    setError(null)
    setIsChoosingStore(false)
    if (MONTH_PATTERN.test(month.trim())) return true

    setError('月份须写作 YYYY-MM，如 2026-12')
    return false
  }

  async function loadSettlement() {
    if (!startAction()) return

    setReport(null)
    setIsBusy(true)
    const result = await callFunction(fn, settlementEvent('json'), settlementReportSchema)
    setIsBusy(false)
    if (result.ok) setReport(result.data)
    else setError(result.error.message)
  }

  async function exportCsv() {
    if (!startAction()) return

    setIsBusy(true)
    const result = await callFunction(fn, settlementEvent('csv'), settlementCsvSchema)
    setIsBusy(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }
    if (!downloadCsv(result.data)) {
      setError('请在网页版管理后台导出 CSV')
      return
    }

    setNotice(`已导出 ${result.data.filename}`)
  }

  const partyName = report ? nameParties(report) : (party: string) => party
  const suggested = isChoosingStore ? suggestStores(storeText, stores) : []
  const chosen = stores.find((store) => store.storeId === storeId)

  return (
    <View className='stack' data-testid='settlement-view'>
      <LabelledField
        label='月份'
        testId='settlement-month-input'
        placeholder='YYYY-MM'
        value={month}
        onInput={(value) => setMonth(value)}
      />
      {fn === 'hq' && (
        <View className='field'>
          <Text className='field__label'>门店</Text>
          <Input
            className='field__input'
            data-testid='settlement-store-input'
            placeholder='空为全部门店；输入店名或编号'
            value={storeText}
            onFocus={() => setIsChoosingStore(true)}
            onInput={(e) => {
              setStoreText(e.detail.value)
              setIsChoosingStore(true)
            }}
          />
        </View>
      )}
      {suggested.length > 0 && (
        // Wrapped: a row of store names is wider than a phone.
        <View className='choice-row' style={{ flexWrap: 'wrap' }}>
          {suggested.map((store) => (
            <Text
              key={store.storeId}
              className={`choice ${store.storeId === storeId ? 'choice--selected' : ''}`}
              data-testid='settlement-store-choice'
              onClick={() => {
                setStoreText(store.name)
                setIsChoosingStore(false)
              }}
            >
              {store.name}
            </Text>
          ))}
        </View>
      )}
      {fn === 'hq' && storeText.trim() && !isChoosingStore && (
        <Text className='field__hint' data-testid='settlement-store-chosen'>
          {chosen ? `门店编号 ${chosen.storeId}` : `没有叫这个名字的门店，按门店编号 ${storeId} 查`}
        </Text>
      )}
      <View className='button-row'>
        <ActionButton
          className='button button--primary'
          data-testid='load-settlement'
          disabled={isBusy}
          onClick={loadSettlement}
        >
          查看
        </ActionButton>
        <ActionButton
          className='button button--ghost'
          data-testid='export-settlement'
          disabled={isBusy}
          onClick={exportCsv}
        >
          导出 CSV
        </ActionButton>
      </View>

      <OkNotice message={notice} testId='settlement-notice' />
      <ErrorNotice message={error} testId='settlement-error' />

      {report && (
        <View className='stack' data-testid='settlement-report'>
          <Text className='list-item__meta' data-testid='settlement-totals'>
            {report.month} 共核销 {report.totals.redemptions} 张，优惠{' '}
            {formatFen(report.totals.couponFen)} 元
          </Text>
          {report.stores.length === 0 && <Text className='muted'>本月没有结算记录</Text>}
          {report.stores.map((row) => (
            <View key={row.storeId} className='list-item' data-testid='settlement-store'>
              <Text className='list-item__title'>{partyName(row.storeId)}</Text>
              <Text className='list-item__meta'>
                核销 {row.redemptions} 张 · 为他店核销 {formatFen(row.redeemedForOthersFen)} 元 ·
                他店为本店核销 {formatFen(row.redeemedByOthersFen)} 元
              </Text>
              <Text className='list-item__meta'>
                积分发放 {row.pointsCreated} · 积分消耗 {row.pointsConsumed}
              </Text>
              {row.pointsShortfall > 0 && (
                <Text className='list-item__meta' data-testid='settlement-shortfall'>
                  退款未能扣回 {row.pointsShortfall} 积分（已被使用，由本店承担）
                </Text>
              )}
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
