import { Button, Input, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import { z } from 'zod'
import {
  memberExportSchema,
  memberPageSchema,
  memberViewSchema,
  staffProfileSchema,
  tierNames,
  type MemberView,
  type StaffProfile,
} from '../../../../../typings'
import { ErrorNotice, OkNotice } from '../../../components/notice'
import { SwitchIdentityLink } from '../../../components/switch-identity'
import { callFunction } from '../../../services/cloud'
import { formatShanghaiMinute } from '../../../utils/china-time'
import { downloadCsv } from '../../../utils/download'
import { formatPhoneForPeople } from '../../../utils/phone-text'
import { adjustingRoles, revealingRoles } from '../../../utils/staff-roles'
import { PointsAdjustment } from './points-adjustment'
import { ActionButton } from '../../../components/action-button'

const foundMemberSchema = z.object({ memberId: z.string(), member: memberViewSchema })

/**
 * The members of the caller's scope: a store manager's store, a region manager's region, all of
 * them for HQ. Masked as the role sees them; a region manager or HQ admin reveals one member at
 * a time, and an HQ admin exports the list and adjusts a member's points. Every row shown,
 * revealed or exported, and every adjustment, is audited.
 */
export default function MembersPage() {
  const [profile, setProfile] = useState<StaffProfile | null>(null)
  const [members, setMembers] = useState<MemberView[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [phone, setPhone] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [isBusy, setIsBusy] = useState(false)
  const [adjustingId, setAdjustingId] = useState<string | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)

  useLoad(async () => {
    const me = await callFunction('staff', { action: 'me' }, staffProfileSchema)
    if (!me.ok) {
      // Not staff here (a member's identity, or a leaver): there is no list to be empty.
      setRefusal(
        me.error.code === 'NOT_ALLOWED'
          ? '当前身份不是在职员工，不能查看会员。请切换为店长、区域经理或总部身份。'
          : me.error.message,
      )
      return
    }

    setProfile(me.data)
    await loadPage(undefined)
  })

  /** Each action starts from a clean page: an old notice next to a new answer misleads. */
  function startAction() {
    setNotice(null)
    setError(null)
  }

  async function loadPage(cursor: string | undefined) {
    startAction()
    const event = { action: 'members' as const, ...(cursor ? { cursor } : {}) }
    const result = await callFunction('staff', event, memberPageSchema)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setMembers((shown) => (cursor ? [...shown, ...result.data.members] : result.data.members))
    setNextCursor(result.data.nextCursor)
  }

  async function findByPhone() {
    startAction()
    if (!phone.trim()) {
      setError('请输入手机号')
      return
    }

    const event = { action: 'findMember' as const, phone: phone.trim() }
    const result = await callFunction('hq', event, foundMemberSchema)
    if (!result.ok) {
      // The row of the member found before is not the answer to this phone.
      setMembers([])
      setNextCursor(null)
      setError(result.error.message)
      return
    }

    setError(null)
    setMembers([result.data.member])
    setNextCursor(null)
  }

  async function reveal(memberId: string) {
    startAction()
    const result = await callFunction('hq', { action: 'revealMember', memberId }, memberViewSchema)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setError(null)
    setNotice('已显示完整信息，本次查看已记入审计日志')
    setMembers((shown) =>
      shown.map((member) => (member.memberId === memberId ? result.data : member)),
    )
  }

  /** Page by page, each page its own file, so that no call holds the whole chain. */
  async function exportAll() {
    setIsBusy(true)
    startAction()
    let cursor: string | undefined
    let files = 0
    let count = 0
    do {
      const event = { action: 'exportMembers' as const, ...(cursor ? { cursor } : {}) }
      const result = await callFunction('hq', event, memberExportSchema)
      if (!result.ok) {
        setError(result.error.message)
        break
      }
      if (!downloadCsv(result.data)) {
        setError('请在网页版管理后台导出会员名单')
        break
      }

      files += 1
      count += result.data.count
      cursor = result.data.nextCursor ?? undefined
    } while (cursor)
    setIsBusy(false)
    if (files > 0) setNotice(`已导出 ${count} 位会员，共 ${files} 个文件；导出已记入审计日志`)
  }

  function showAdjusted(memberId: string, balance: number) {
    setAdjustingId(null)
    setNotice(`积分已调整，现有 ${balance} 积分；调整已记入审计日志`)
    setMembers((shown) =>
      shown.map((member) =>
        member.memberId === memberId ? { ...member, points: balance } : member,
      ),
    )
  }

  const isHq = profile?.role === 'hq_admin' || profile?.role === 'hq_analyst'
  const canSearch = isHq || profile?.role === 'region_manager'
  // 发券 and the audit filter take a member by id, so those who use them read it on the row.
  const canSeeMemberId = canSearch
  const canReveal = profile ? revealingRoles.includes(profile.role) : false
  const canAdjust = profile ? adjustingRoles.includes(profile.role) : false

  if (refusal) {
    return (
      <View className='page page--center' data-testid='members-page'>
        <Text className='notice notice--error' data-testid='members-refused'>
          {refusal}
        </Text>
        <SwitchIdentityLink />
      </View>
    )
  }

  return (
    <View className='page' data-testid='members-page'>
      <ErrorNotice message={error} testId='members-error' />
      <OkNotice message={notice} testId='members-notice' />

      {canSearch && (
        <View className='section'>
          <Text className='section__title'>按手机号查找</Text>
          <View className='field'>
            <Input
              className='field__input'
              data-testid='member-phone-input'
              type='text'
              placeholder='任意写法，如 138 0013 8000'
              value={phone}
              onInput={(event) => setPhone(event.detail.value)}
              onConfirm={findByPhone}
            />
          </View>
          <View className='button-row'>
            <Button className='button button--ghost' onClick={() => loadPage(undefined)}>
              全部会员
            </Button>
            <Button
              className='button button--primary'
              data-testid='member-find'
              onClick={findByPhone}
            >
              查找
            </Button>
          </View>
        </View>
      )}

      {profile?.role === 'hq_admin' && (
        <ActionButton
          className='button button--ghost'
          data-testid='members-export'
          disabled={isBusy}
          onClick={exportAll}
        >
          导出会员名单（CSV）
        </ActionButton>
      )}

      <View className='section'>
        <Text className='section__title'>会员</Text>
        {!profile && <Text className='muted'>正在读取…</Text>}
        {profile && members.length === 0 && !error && (
          <Text className='muted'>您的范围内还没有会员</Text>
        )}
        {members.map((member) => (
          <View key={member.memberId} className='list-item' data-testid='member-row'>
            <View className='list-item__row'>
              <Text className='list-item__title' data-testid='member-phone'>
                {formatPhoneForPeople(member.phone)}
              </Text>
              <Text className='badge'>{tierNames[member.tier]}</Text>
            </View>
            <Text className='list-item__meta'>
              {member.name ?? '未填姓名'} · 生日 {member.birthday ?? '—'} · 积分 {member.points}
            </Text>
            <Text className='list-item__meta'>
              开卡门店：{member.homeStore?.name ?? '—'} · 到店 {member.visitCount} 次
              {member.lastVisitAt ? ` · 最近 ${formatShanghaiMinute(member.lastVisitAt)}` : ''}
            </Text>
            {canSeeMemberId && (
              <Text className='list-item__meta' selectable userSelect data-testid='member-id'>
                会员编号 {member.memberId}
              </Text>
            )}
            {canReveal && member.isMasked && (
              <Button
                className='button button--ghost'
                data-testid='member-reveal'
                onClick={() => reveal(member.memberId)}
              >
                显示完整信息
              </Button>
            )}
            {canAdjust && adjustingId !== member.memberId && (
              <Button
                className='button button--ghost'
                data-testid='member-adjust'
                onClick={() => setAdjustingId(member.memberId)}
              >
                调整积分
              </Button>
            )}
            {adjustingId === member.memberId && (
              <PointsAdjustment
                member={member}
                onAdjusted={(balance) => showAdjusted(member.memberId, balance)}
              />
            )}
          </View>
        ))}
        {nextCursor && (
          <Button className='button button--ghost' onClick={() => loadPage(nextCursor)}>
            更多
          </Button>
        )}
      </View>
    </View>
  )
}
