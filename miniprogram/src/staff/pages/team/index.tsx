import { Button, Picker, Text, View } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import { useState } from 'react'
import {
  invitationSchema,
  staffProfileSchema,
  teamMemberSchema,
  teamPageSchema,
  type Invitation,
  type StaffProfile,
  type StaffRoleName,
  type TeamEntry,
  type TeamMember,
} from '../../../../../typings'
import { ErrorNotice } from '../../../components/notice'
import { callFunction } from '../../../services/cloud'
import { roleTitles } from '../../../utils/staff-roles'
import { formatShanghaiMinute } from '../../../utils/china-time'
import { ActionButton } from '../../../components/action-button'
import { LabelledField } from '../../../components/labelled-field'

const roles = Object.keys(roleTitles) as StaffRoleName[]

interface StaffForm {
  openid: string
  name: string
  role: StaffRoleName
  placeId: string
}

const emptyForm: StaffForm = { openid: '', name: '', role: 'clerk', placeId: '' }

/** Where a member of staff works, by name; an id only when the chain no longer names it. */
function placeOf(member: TeamEntry): string {
  if (member.storeId) return member.storeName ?? member.storeId
  if (member.regionId) return member.regionName ? `${member.regionName}区域` : member.regionId

  return '总部'
}

/**
 * The team of the caller's scope. A store manager invites clerks by a code; an HQ admin adds,
 * moves and deactivates anyone. Someone who is not staff yet enters the code they were given.
 */
export default function TeamPage() {
  const [profile, setProfile] = useState<StaffProfile | null>(null)
  const [isStranger, setIsStranger] = useState(false)
  const [team, setTeam] = useState<TeamEntry[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [isLoadingMore, setIsLoadingMore] = useState(false)
  const [inviteName, setInviteName] = useState('')
  const [invitation, setInvitation] = useState<Invitation | null>(null)
  const [code, setCode] = useState('')
  const [form, setForm] = useState<StaffForm>(emptyForm)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  useLoad(async () => {
    const me = await callFunction('staff', { action: 'me' }, staffProfileSchema)
    if (!me.ok) {
      setIsStranger(me.error.code === 'NOT_ALLOWED')
      if (me.error.code !== 'NOT_ALLOWED') setError(me.error.message)
      return
    }

    setProfile(me.data)
    await loadTeam()
  })

  /** The first page again after a change, or the page after `cursor` for 更多. */
  async function loadTeam(cursor: string | null = null) {
    const event = cursor ? { action: 'team' as const, cursor } : { action: 'team' as const }
    setIsLoadingMore(cursor !== null)
    const result = await callFunction('staff', event, teamPageSchema)
    setIsLoadingMore(false)
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setTeam((previous) => (cursor ? [...previous, ...result.data.members] : result.data.members))
    setNextCursor(result.data.nextCursor)
  }

  async function invite() {
    setError(null)
    const result = await callFunction(
      'staff',
      { action: 'inviteStaff', name: inviteName, role: 'clerk' },
      invitationSchema,
    )
    if (result.ok) setInvitation(result.data)
    else setError(result.error.message)
  }

  async function accept() {
    setError(null)
    const result = await callFunction(
      'staff',
      { action: 'acceptInvitation', code: code.trim().toUpperCase() },
      teamMemberSchema,
    )
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setIsStranger(false)
    setNotice(`欢迎加入，您的身份是${roleTitles[result.data.role]}`)
  }

  async function save(member: StaffForm, isActive: boolean) {
    setError(null)
    const isStoreRole = member.role === 'clerk' || member.role === 'store_manager'
    const result = await callFunction(
      'hq',
      {
        action: 'upsertStaff',
        openid: member.openid.trim(),
        name: member.name.trim(),
        role: member.role,
        storeId: isStoreRole ? member.placeId.trim() : null,
        regionId: member.role === 'region_manager' ? member.placeId.trim() : null,
        isActive,
      },
      teamMemberSchema,
    )
    if (!result.ok) {
      setError(result.error.message)
      return
    }

    setNotice(`已保存：${result.data.name}（${result.data.isActive ? '在职' : '已停用'}）`)
    setForm(emptyForm)
    await loadTeam()
  }

  const toForm = (member: TeamMember): StaffForm => ({
    openid: member.openid,
    name: member.name,
    role: member.role,
    placeId: member.storeId ?? member.regionId ?? '',
  })

  return (
    <View className='page' data-testid='team-page'>
      {isStranger && (
        <View className='section'>
          <Text className='section__title'>加入门店</Text>
          <Text className='muted'>请输入店长给您的邀请码</Text>
          <LabelledField
            label='邀请码'
            testId='invitation-code-input'
            maxLength={8}
            value={code}
            onInput={(value) => setCode(value)}
          />
          <Button className='button' data-testid='invitation-accept' onClick={accept}>
            加入
          </Button>
        </View>
      )}

      {profile?.role === 'store_manager' && (
        <View className='section'>
          <Text className='section__title'>邀请店员</Text>
          <LabelledField
            label='店员姓名'
            testId='invite-name-input'
            placeholder='店员姓名'
            value={inviteName}
            onInput={(value) => setInviteName(value)}
          />
          <Button className='button' data-testid='invite-button' onClick={invite}>
            生成邀请码
          </Button>
          {invitation && (
            <Text className='result' data-testid='invitation-code'>
              邀请码 {invitation.code}，{formatShanghaiMinute(invitation.expiresAt)}{' '}
              前有效，仅可使用一次
            </Text>
          )}
        </View>
      )}

      {profile?.role === 'hq_admin' && (
        <View className='section' data-testid='staff-form'>
          <Text className='section__title'>添加或调动员工</Text>
          <LabelledField
            label='openid'
            placeholder='openid'
            value={form.openid}
            onInput={(value) => setForm({ ...form, openid: value })}
          />
          <LabelledField
            label='姓名'
            placeholder='姓名'
            value={form.name}
            onInput={(value) => setForm({ ...form, name: value })}
          />
          <Picker
            mode='selector'
            range={roles.map((role) => roleTitles[role])}
            value={roles.indexOf(form.role)}
            onChange={(e) => setForm({ ...form, role: roles[Number(e.detail.value)] })}
          >
            <View className='field'>
              <Text className='field__label'>角色</Text>
              <Text className='field__value'>{roleTitles[form.role]}</Text>
            </View>
          </Picker>
          <LabelledField
            label='门店或区域'
            placeholder='门店编号（店员、店长）或区域编号（区域经理）'
            value={form.placeId}
            onInput={(value) => setForm({ ...form, placeId: value })}
          />
          <Button className='button' onClick={() => save(form, true)}>
            保存
          </Button>
        </View>
      )}

      {team.length > 0 && (
        <View className='section'>
          <Text className='section__title'>
            员工（{nextCursor ? `已列出 ${team.length} 位，还有更多` : `${team.length} 位`}）
          </Text>
          {team.map((member) => (
            <View key={member.openid} className='list-item' data-testid='team-member'>
              <Text className='list-item__title'>
                {member.name} · {roleTitles[member.role]}
              </Text>
              <Text className='list-item__meta'>
                {placeOf(member)} · {member.isActive ? '在职' : '已停用'}
              </Text>
              {profile?.role === 'hq_admin' && (
                <View className='list-item__row'>
                  <Button className='button button--ghost' onClick={() => setForm(toForm(member))}>
                    调动
                  </Button>
                  <Button
                    className='button button--ghost'
                    onClick={() => save(toForm(member), !member.isActive)}
                  >
                    {member.isActive ? '停用' : '恢复'}
                  </Button>
                </View>
              )}
            </View>
          ))}
          {nextCursor && (
            <ActionButton
              className='button button--ghost'
              data-testid='team-load-more'
              loading={isLoadingMore}
              disabled={isLoadingMore}
              onClick={() => loadTeam(nextCursor)}
            >
              更多
            </ActionButton>
          )}
        </View>
      )}

      {notice && (
        <Text className='muted' data-testid='team-notice'>
          {notice}
        </Text>
      )}
      <ErrorNotice message={error} testId='team-error' />
    </View>
  )
}
