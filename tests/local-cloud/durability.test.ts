import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DocumentStore } from '../../local-cloud/store'

const ROOT = join(__dirname, '..', '..')
const FIXTURE = join(__dirname, 'fixtures', 'write-until-killed.ts')

/**
 * Runs the writer, and `kill -9`s it `killAfterMs` after its first acknowledgement (or as soon as
 * it prints `killOn`). Resolves with every line it acknowledged.
 */
function runWriterUntilKilled(
  dir: string,
  mode: string,
  stop: { killAfterMs: number } | { killOn: string },
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` keeps the writer in this one process: the tsx launcher would spawn a
    // grandchild that outlives the kill.
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, mode], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: string[] = []
    let pending = ''
    let stderr = ''
    let killTimer: NodeJS.Timeout | undefined

    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      pending += chunk
      const complete = pending.split('\n')
      pending = complete.pop() ?? ''
      lines.push(...complete)

      if ('killOn' in stop && lines.includes(stop.killOn)) child.kill('SIGKILL')
      if ('killAfterMs' in stop && !killTimer && lines.length > 0) {
        killTimer = setTimeout(() => child.kill('SIGKILL'), stop.killAfterMs)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    // 'close', not 'exit': lines still in the pipe when the kill landed were acknowledged too.
    child.on('close', (code, signal) => {
      clearTimeout(killTimer)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}): ${stderr}`))
      else resolve(lines)
    })
  })
}

describe('DocumentStore durability across kill -9', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongka-durability-'))
  })

  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps every acknowledged insert', async () => {
    const acknowledged = await runWriterUntilKilled(dir, 'inserts', { killAfterMs: 300 })
    expect(acknowledged.length).toBeGreaterThan(10)

    const store = DocumentStore.open(dir)
    const present = new Set(store.find('numbers', {}).map((doc) => doc._id))
    store.close()
    const lost = acknowledged.filter((id) => !present.has(id))
    expect(lost).toEqual([])
    // At most the one write in flight when the kill landed may exist without acknowledgement.
    expect(present.size - acknowledged.length).toBeLessThanOrEqual(1)
  })

  it('keeps every acknowledged transaction whole, and no partial one', async () => {
    const acknowledged = await runWriterUntilKilled(dir, 'transactions', { killAfterMs: 300 })
    expect(acknowledged.length).toBeGreaterThan(10)

    const store = DocumentStore.open(dir)
    const items = store.find('items', {})
    const counter = store.get('counters', 'batches')?.value
    store.close()

    const partsByBatch = new Map<number, number>()
    for (const item of items) {
      const batch = item.batch as number
      partsByBatch.set(batch, (partsByBatch.get(batch) ?? 0) + 1)
    }
    for (const batch of acknowledged) expect(partsByBatch.get(Number(batch.slice(1)))).toBe(3)
    expect([...partsByBatch.values()].every((parts) => parts === 3)).toBe(true)
    expect(counter).toBe(partsByBatch.size)
  })

  it('leaves nothing of a transaction killed before commit', async () => {
    const acknowledged = await runWriterUntilKilled(dir, 'open-transaction', { killOn: 'staged' })
    expect(acknowledged).toContain('staged')

    const store = DocumentStore.open(dir)
    expect(store.find('numbers', {})).toEqual([{ _id: 'base', value: 1 }])
    store.close()
  })
})
