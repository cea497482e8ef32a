import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DocumentStore } from '../../local-cloud/store'
import { functionsBuildDir, repositoryRoot } from '../../scripts/local-paths'

/**
 * The whole server, not just the store: purchases acknowledged through the gateway are all there
 * after a `kill -9` of the local cloud, and the member's balance equals the sum of their visits.
 */
function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` keeps the server in this one process, so the kill reaches it.
    const args = ['--import', 'tsx', 'local-cloud/main.ts', '--port', '0', '--data', dataDir]
    args.push('--functions', functionsBuildDir, '--static', path.join(dataDir, 'no-h5'))
    const child = spawn(process.execPath, args, {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TONGKA_LOG: 'silent' },
    })
    let output = ''
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      output += chunk
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (url) resolve({ child, url })
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening: ${output}`)),
    )
  })
}

async function call(url: string, name: string, event: unknown, openid: string): Promise<any> {
  const response = await fetch(`${url}/api/functions/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-openid': openid },
    body: JSON.stringify(event),
  })

  return (await response.json()).result
}

describe('the local cloud killed with -9', () => {
  let dataDir: string

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tongka-crash-'))
  })

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps every purchase it acknowledged and a balance equal to the visits', async () => {
    const seed = DocumentStore.open(dataDir)
    seed.insert('stores', [
      {
        _id: 'sA',
        name: '徐汇店',
        regionId: 'east',
        city: '上海市',
        cityCode: '3101',
        district: '徐汇区',
        districtCode: '310104',
        isActive: true,
      },
    ])
    seed.insert('staff', [
      {
        _id: 'o-clerk-sA',
        openid: 'o-clerk-sA',
        name: '店员',
        role: 'clerk',
        storeId: 'sA',
        regionId: 'east',
        isActive: true,
      },
    ])
    seed.close()

    const { child, url } = await startServer(dataDir)
    const phoneCode = await fetch(`${url}/api/dev/phone-code`, {
      method: 'POST',
      body: JSON.stringify({ phone: '13800138000' }),
    })
    const { code: phone } = await phoneCode.json()
    const terms = await call(url, 'member', { action: 'terms' }, 'o-member')
    const registration = {
      action: 'register',
      phoneCode: phone,
      consentVersion: terms.data.version,
    }
    await call(url, 'member', registration, 'o-member')
    const code = await call(url, 'member', { action: 'code' }, 'o-member')
    const scan = await call(url, 'staff', { action: 'scan', code: code.data.code }, 'o-clerk-sA')

    const acknowledged: string[] = []
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const writers = [0, 1, 2, 3].map(async (writer) => {
      for (let index = 0; ; index += 1) {
        const orderNo = `W${writer}-${index}`
        const visitToken = scan.data.visitToken
        const event = { action: 'recordPurchase', visitToken, orderNo, amountFen: 1_000 }
        const answer = await call(url, 'staff', event, 'o-clerk-sA').catch(() => null)
        if (!answer?.ok) return
        acknowledged.push(`sA.${orderNo}`)
        if (acknowledged.length === 40) child.kill('SIGKILL')
      }
    })
    await Promise.all(writers)
    await exited

    const reopened = DocumentStore.open(dataDir)
    try {
      const visits = reopened.find('visits', {})
      const visitIds = new Set(visits.map((visit) => visit._id))
      const member = reopened.find('members', {})[0]
      const earned = visits.reduce((sum, visit) => sum + (visit.pointsEarned as number), 0)

      expect(acknowledged.length).toBeGreaterThanOrEqual(40)
      for (const id of acknowledged) expect(visitIds.has(id)).toBe(true)
      expect(member.points).toBe(earned)
      expect(reopened.count('pointLots', {})).toBe(visits.length)
    } finally {
      reopened.close()
    }
  })
})
