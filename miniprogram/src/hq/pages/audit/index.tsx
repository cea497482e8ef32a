import { Button, Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import { auditPageSchema, type AuditEntry } from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { formatShanghaiMinute } from '../../../utils/china-time'

interface Filters {
  memberId: string
  staffOpenid: string
  storeId: string
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

const filterLabels: Record<keyof Filters, string> = {
  memberId: '会员编号',
  staffOpenid: '员工 openid',
  storeId: '门店编号',
  auditAction: '操作（如 scan、revealMember）',
  fromDate: '起始日期 YYYY-MM-DD',
  toDate: '结束日期 YYYY-MM-DD（含）',
}

const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text)

/** A Shanghai date's midnight, or the next day's for an inclusive end. */
function shanghaiMidnight(date: string, dayOffset: number): string {
  const instant = new Date(`${date}T00:00:00+08:00`)
  instant.setUTCDate(instant.getUTCDate() + dayOffset)

  return instant.toISOString()
}

/**
 * The audit log in the web console: HQ searches all of it, a region manager their region's
 * stores. Who read or changed which member's data, newest first, a page at a time.
 */
export default function AuditPage() {
  const [filters, setFilters] = useState<Filters>(emptyFilters)
  const [entries, setEntries] = useState<AuditEntry[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [hasSearched, setHasSearched] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function search(cursor: string | null) {
    const { fromDate, toDate, ...fields } = filters
    const query = Object.fromEntries(
      Object.entries(fields)
        .map(([key, value]) => [key, value.trim()])
        .filter(([, value]) => value),
    )
    const result = await callFunction(
      'hq',
      {
        action: 'auditLog',
        ...query,
        ...(isDate(fromDate) ? { from: shanghaiMidnight(fromDate, 0) } : {}),
        ...(isDate(toDate) ? { to: shanghaiMidnight(toDate, 1) } : {}),
        ...(cursor ? { cursor } : {}),
      },
      auditPageSchema,
    )
    setHasSearched(true)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    setEntries(cursor ? [...entries, ...result.data.entries] : result.data.entries)
    setNextCursor(result.data.nextCursor)
  }

  return (
    <View className='page' data-testid='hq-audit-page'>
      <View className='section'>
        <Text className='section__title'>查询条件</Text>
        {(Object.keys(filterLabels) as Array<keyof Filters>).map((key) => (
          <Input
            key={key}
            className='input'
            placeholder={filterLabels[key]}
            value={filters[key]}
            onInput={(e) => setFilters({ ...filters, [key]: e.detail.value })}
          />
        ))}
        <Button className='button' data-testid='audit-search' onClick={() => search(null)}>
          查询
        </Button>
      </View>

      {hasSearched && entries.length === 0 && !error && <Text className='muted'>没有记录</Text>}
      {entries.map((entry) => (
        <View key={entry.entryId} className='list-item' data-testid='audit-entry'>
          <Text className='list-item__title'>
            {formatShanghaiMinute(entry.at)} · {entry.action}
          </Text>
          <Text className='list-item__meta'>
            {entry.actor.role} {entry.actor.openid}
            {entry.actor.storeId ? ` @ ${entry.actor.storeId}` : ''}
          </Text>
          <Text className='list-item__meta'>
            会员 {entry.memberId ?? '—'} · {entry.fields.join('、')} · 请求 {entry.requestId}
          </Text>
        </View>
      ))}
      {nextCursor && (
        <Button className='button button--ghost' onClick={() => search(nextCursor)}>
          更多
        </Button>
      )}
      <ErrorNotice message={error} testId='audit-error' />
    </View>
  )
}
