import { Button, Picker, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import {
  auditPageSchema,
  chainSchema,
  type AuditEntry,
  type AuditLogEvent,
  type StoreRef,
} from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { formatShanghaiMinute } from '../../../utils/china-time'
import {
  auditActionLabels,
  describeAuditActor,
  labelAuditAction,
  labelAuditFields,
} from './audit-labels'
import { LabelledField } from '../../../components/labelled-field'

interface Filters {
  memberId: string
  staffOpenid: string
  /** Empty: every store of the caller's scope. */
  storeId: string
  /** Empty: every action. */
  auditAction: string
  /** Shanghai dates, `YYYY-MM-DD`; the end date is included. */
  fromDate: string
  toDate: string
}

const emptyFilters: Filters = {
  memberId: '',
  staffOpenid: '',
  storeId: '',
  auditAction: '',
  fromDate: '',
  toDate: '',
}

const actionChoices = ['', ...Object.keys(auditActionLabels)]

type DateCheck = { ok: true; date: string | null } | { ok: false; message: string }

/** A typed Shanghai date: empty is no bound; anything but a real `YYYY-MM-DD` day is refused. */
function readDate(text: string, label: string): DateCheck {
  const written = text.trim()
  if (!written) return { ok: true, date: null }

  const [year, month, day] = written.split('-').map(Number)
  const date = new Date(Date.UTC(year, month - 1, day))
  const isRealDay =
    /^\d{4}-\d{2}-\d{2}$/.test(written) &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  if (!isRealDay) return { ok: false, message: `${label}不是有效的日期，请写成 2026-03-01 这样` }

  return { ok: true, date: written }
}

/** A Shanghai date's midnight, or the next day's for an inclusive end. */
function shanghaiMidnight(date: string, dayOffset: number): string {
  const instant = new Date(`${date}T00:00:00+08:00`)
  instant.setUTCDate(instant.getUTCDate() + dayOffset)

  return instant.toISOString()
}

/** The filters as the `auditLog` event, or what a person must fix before anything is asked. */
function toQuery(
  filters: Filters,
): { ok: true; event: AuditLogEvent } | { ok: false; message: string } {
  const from = readDate(filters.fromDate, '起始日期')
  if (!from.ok) return from

  const to = readDate(filters.toDate, '结束日期')
  if (!to.ok) return to
  if (from.date && to.date && from.date > to.date) {
    return { ok: false, message: '起始日期晚于结束日期' }
  }

  const typed = { memberId: filters.memberId.trim(), staffOpenid: filters.staffOpenid.trim() }

  return {
    ok: true,
    event: {
      action: 'auditLog',
      ...(typed.memberId ? { memberId: typed.memberId } : {}),
      ...(typed.staffOpenid ? { staffOpenid: typed.staffOpenid } : {}),
      ...(filters.storeId ? { storeId: filters.storeId } : {}),
      ...(filters.auditAction ? { auditAction: filters.auditAction } : {}),
      ...(from.date ? { from: shanghaiMidnight(from.date, 0) } : {}),
      ...(to.date ? { to: shanghaiMidnight(to.date, 1) } : {}),
    },
  }
}

/** The stores of the caller's scope, for naming actors and choosing a store; none if refused. */
function useScopeStores(): StoreRef[] {
  const [stores, setStores] = useState<StoreRef[]>([])

  useEffect(() => {
    void callFunction('hq', { action: 'chain' }, chainSchema).then((result) => {
      if (result.ok) setStores(result.data.regions.flatMap((region) => region.stores))
    })
  }, [])

  return stores
}

/**
 * The audit log in the web console: HQ searches all of it, a region manager their region's
 * stores. Who read or changed which member's data, newest first, a page at a time.
 */
export default function AuditPage() {
  const stores = useScopeStores()
  const storeNames = new Map(stores.map((store) => [store.storeId, store.name]))
  const [filters, setFilters] = useState<Filters>(emptyFilters)
  const [entries, setEntries] = useState<AuditEntry[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [hasSearched, setHasSearched] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // 更多 continues the search that was answered, whatever has been typed since.
  const [answeredQuery, setAnsweredQuery] = useState<AuditLogEvent | null>(null)

  async function searchAnew() {
    const query = toQuery(filters)
    // A refused search shows no earlier results, which would read as the answer to this one.
    if (!query.ok) {
      setError(query.message)
      setEntries([])
      setNextCursor(null)
      return
    }

    setAnsweredQuery(query.event)
    await search(query.event, null)
  }

  // The newest entries first, before any filter: an empty page reads as an empty log.
  useLoad(() => searchAnew())

  async function search(query: AuditLogEvent, cursor: string | null) {
    const event = { ...query, ...(cursor ? { cursor } : {}) }
    const result = await callFunction('hq', event, auditPageSchema)
    setHasSearched(true)
    if (!result.ok) {
      setError(result.error.message)
      if (!cursor) setEntries([])
      setNextCursor(null)
      return
    }

    setError(null)
    setEntries(cursor ? [...entries, ...result.data.entries] : result.data.entries)
    setNextCursor(result.data.nextCursor)
  }

  function update(changes: Partial<Filters>) {
    setFilters({ ...filters, ...changes })
  }

  const storeChoices = [null, ...stores]
  const chosenStore = stores.find((store) => store.storeId === filters.storeId)

  return (
    <View className='page' data-testid='hq-audit-page'>
      <View className='section'>
        <Text className='section__title'>查询条件</Text>
        <View className='field'>
          <Text className='field__label'>操作</Text>
          <Picker
            mode='selector'
            range={actionChoices.map((action) => (action ? labelAuditAction(action) : '全部操作'))}
            value={Math.max(actionChoices.indexOf(filters.auditAction), 0)}
            onChange={(e) => update({ auditAction: actionChoices[Number(e.detail.value)] })}
          >
            <View className='field__input' data-testid='audit-action-picker'>
              {filters.auditAction ? labelAuditAction(filters.auditAction) : '全部操作'}
            </View>
          </Picker>
        </View>
        <View className='field'>
          <Text className='field__label'>门店</Text>
          <Picker
            mode='selector'
            range={storeChoices.map((store) =>
              store ? `${store.city} · ${store.name}` : '全部门店',
            )}
            value={Math.max(storeChoices.indexOf(chosenStore ?? null), 0)}
            onChange={(e) =>
              update({ storeId: storeChoices[Number(e.detail.value)]?.storeId ?? '' })
            }
          >
            <View className='field__input' data-testid='audit-store-picker'>
              {chosenStore ? chosenStore.name : '全部门店'}
            </View>
          </Picker>
        </View>
        <LabelledField
          label='员工 openid'
          testId='audit-staff-input'
          placeholder='如 o-clerk-s367，留空为全部员工'
          value={filters.staffOpenid}
          onInput={(value) => update({ staffOpenid: value })}
        />
        <LabelledField
          label='会员编号'
          testId='audit-member-input'
          placeholder='如 M567104081，留空为全部会员'
          value={filters.memberId}
          onInput={(value) => update({ memberId: value })}
        />
        <LabelledField
          label='起始日期'
          testId='audit-from-input'
          placeholder='如 2026-03-01'
          value={filters.fromDate}
          onInput={(value) => update({ fromDate: value })}
        />
        <LabelledField
          label='结束日期'
          testId='audit-to-input'
          placeholder='如 2026-03-31（含当天）'
          value={filters.toDate}
          onInput={(value) => update({ toDate: value })}
        />
        <Button className='button button--primary' data-testid='audit-search' onClick={searchAnew}>
          查询
        </Button>
      </View>

      <ErrorNotice message={error} testId='audit-error' />
      {hasSearched && entries.length === 0 && !error && <Text className='muted'>没有记录</Text>}
      {entries.map((entry) => (
        <View key={entry.entryId} className='list-item' data-testid='audit-entry'>
          <Text className='list-item__title'>
            {formatShanghaiMinute(entry.at)} · {labelAuditAction(entry.action)}
          </Text>
          <Text className='list-item__meta'>{describeAuditActor(entry.actor, storeNames)}</Text>
          {(entry.memberId || entry.fields.length > 0) && (
            <Text className='list-item__meta'>
              {[
                entry.memberId ? `会员 ${entry.memberId}` : '',
                entry.fields.length > 0 ? `涉及${labelAuditFields(entry.fields)}` : '',
              ]
                .filter(Boolean)
                .join(' · ')}
            </Text>
          )}
          <Text className='muted' data-testid='audit-entry-detail'>
            {entry.actor.openid} · 请求 {entry.requestId}
          </Text>
        </View>
      ))}
      {nextCursor && answeredQuery && (
        <Button className='button button--ghost' onClick={() => search(answeredQuery, nextCursor)}>
          更多
        </Button>
      )}
    </View>
  )
}
