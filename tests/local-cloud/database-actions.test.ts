import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDatabaseActions, type DatabaseActions } from '../../local-cloud/database-actions'
import { DocumentStore } from '../../local-cloud/store'

// Without these the SDK probes Tencent's metadata address to learn where it runs.
process.env.TENCENTCLOUD_RUNENV = 'SCF'
process.env.TENCENTCLOUD_REGION = 'ap-shanghai'
process.env.SCF_NAMESPACE = 'tongka-test'
process.env.SILENCE = 'true'

type CloudBaseSdk = typeof import('@cloudbase/node-sdk')
type Database = ReturnType<ReturnType<CloudBaseSdk['init']>['database']>
/** The SDK types its transactions as `any`; this is the part the tests use. */
interface SdkTransaction {
  collection(name: string): ReturnType<Database['collection']>
}

const FROZEN_NOW = new Date('2024-05-01T08:00:00.000Z')

let store: DocumentStore
let actions: DatabaseActions
let server: Server
let db: Database
const seenActions: string[] = []
const answeredCodes: string[] = []

beforeAll(async () => {
  store = DocumentStore.open(':memory:', { now: () => FROZEN_NOW })
  actions = createDatabaseActions(store, () => FROZEN_NOW)
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      seenActions.push(body.action)
      const answer = await actions.handle(body)
      if (typeof answer.code === 'string') answeredCodes.push(answer.code)
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  const { port } = server.address() as AddressInfo
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tcb: CloudBaseSdk = require('@cloudbase/node-sdk')
  const app = tcb.init({
    env: 'tongka-test',
    serviceUrl: `http://127.0.0.1:${port}/admin`,
    secretId: 'local',
    secretKey: 'local',
    timeout: 10000,
  })
  db = app.database()
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  store.close()
})

describe('database actions driven by @cloudbase/node-sdk', () => {
  it('adds, gets, sets, updates and removes one document', async () => {
    const members = db.collection('members')
    const added = await members.add({ name: 'Li', points: 10, joinedAt: new Date(0) })
    expect(added.id).toMatch(/^[0-9a-f]{24}$/)

    const got = await members.doc(added.id as string).get()
    expect(got.data).toEqual([{ _id: added.id, name: 'Li', points: 10, joinedAt: new Date(0) }])

    const set = await members.doc('fixed').set({ name: 'Wang', points: 1 })
    expect(set.upsertedId).toBe('fixed')
    const reset = await members.doc('fixed').set({ name: 'Wang Wei' })
    expect(reset.updated).toBe(1)
    expect(store.get('members', 'fixed')).toEqual({ _id: 'fixed', name: 'Wang Wei' })

    const updated = await members
      .doc(added.id as string)
      .update({ points: 12, 'profile.city': 'SH' })
    expect(updated.updated).toBe(1)
    expect(store.get('members', added.id as string)).toMatchObject({
      points: 12,
      profile: { city: 'SH' },
    })

    const missing = await members.doc('nobody').update({ points: 1 })
    expect(missing.updated).toBe(0)

    const removed = await members.doc('fixed').remove()
    expect(removed.deleted).toBe(1)
    expect((await members.doc('fixed').get()).data).toEqual([])
  })

  it('queries with where, orderBy, skip, limit, field and count', async () => {
    const _ = db.command
    const visits = db.collection('visits')
    await visits.add(
      [5, 3, 9, 1, 7].map((amount, index) => ({
        _id: `v${index}`,
        memberId: index % 2 === 0 ? 'm1' : 'm2',
        amount,
        at: new Date(Date.UTC(2024, 0, index + 1)),
      })),
    )

    const page = await visits
      .where({ memberId: 'm1', amount: _.gt(1) })
      .orderBy('amount', 'desc')
      .skip(1)
      .limit(1)
      .field({ amount: true })
      .get()
    expect(page.data).toEqual([{ _id: 'v4', amount: 7 }])

    const inList = await visits
      .where({ _id: _.in(['v1', 'v3']) })
      .orderBy('at', 'asc')
      .get()
    expect(inList.data.map((doc: { _id: string }) => doc._id)).toEqual(['v1', 'v3'])

    const either = await visits.where(_.or([{ amount: _.lte(1) }, { amount: _.gte(9) }])).count()
    expect(either.total).toBe(2)

    const byDate = await visits.where({ at: _.gte(new Date(Date.UTC(2024, 0, 4))) }).count()
    expect(byDate.total).toBe(2)

    const byRegex = await visits
      .where({ memberId: db.RegExp({ regexp: '^M2$', options: 'i' }) })
      .get()
    expect(byRegex.data).toHaveLength(2)
  })

  it('updates with db.command operators, nested paths and serverDate', async () => {
    const _ = db.command
    const cards = db.collection('cards')
    await cards.add({
      _id: 'c1',
      points: 10,
      tags: ['a'],
      log: [1, 2, 3],
      profile: { level: 1 },
      tmp: 1,
    })

    await cards.doc('c1').update({
      points: _.inc(5),
      tags: _.push(['b', 'c']),
      log: _.pull(2),
      profile: { level: _.inc(1), name: 'gold' },
      tmp: _.remove(),
      seenAt: db.serverDate(),
    })
    await cards.doc('c1').update({ tags: _.addToSet('a') })
    await cards.doc('c1').update({ tags: _.addToSet('d') })

    expect(store.get('cards', 'c1')).toEqual({
      _id: 'c1',
      points: 15,
      tags: ['a', 'b', 'c', 'd'],
      log: [1, 3],
      profile: { level: 2, name: 'gold' },
      seenAt: FROZEN_NOW,
    })
  })

  it('updates and removes many by query', async () => {
    const _ = db.command
    const coupons = db.collection('coupons')
    await coupons.add([
      { _id: 'k1', state: 'new', value: 1 },
      { _id: 'k2', state: 'new', value: 2 },
      { _id: 'k3', state: 'used', value: 3 },
    ])

    const updated = await coupons
      .where({ state: 'new' })
      .update({ state: 'expired', value: _.mul(10) })
    expect(updated.updated).toBe(2)
    expect(store.find('coupons', { state: 'expired' }).map((doc) => doc.value)).toEqual([10, 20])

    const returned = await coupons.where({ _id: 'k3' }).updateAndReturn({ value: _.inc(1) })
    expect(returned.doc).toEqual({ _id: 'k3', state: 'used', value: 4 })

    const removed = await coupons.where({ state: 'expired' }).remove()
    expect(removed.deleted).toBe(2)
    expect((await coupons.count()).total).toBe(1)
  })

  it('aggregates with mingo', async () => {
    const $ = db.command.aggregate
    await db.collection('sales').add([
      { store: 's1', amount: 100 },
      { store: 's1', amount: 50 },
      { store: 's2', amount: 70 },
    ])

    const result = await db
      .collection('sales')
      .aggregate()
      .group({ _id: '$store', total: $.sum('$amount') })
      .sort({ _id: 1 })
      .end()
    expect(result.data).toEqual([
      { _id: 's1', total: 150 },
      { _id: 's2', total: 70 },
    ])
  })

  it('refuses a duplicate _id with a stable code', async () => {
    await db.collection('dupes').add({ _id: 'once' })

    await expect(db.collection('dupes').add({ _id: 'once' })).rejects.toMatchObject({
      code: 'DATABASE_DUPLICATE_WRITE',
    })
    expect(store.count('dupes', {})).toBe(1)
  })

  it('commits a runTransaction that reads, updates and adds', async () => {
    await db.collection('accounts').add({ _id: 'acc', balance: 100 })

    const result = await db.runTransaction(async (transaction: SdkTransaction) => {
      const account = await transaction.collection('accounts').doc('acc').get()
      const balance = account.data.balance - 30
      await transaction.collection('accounts').doc('acc').update({ balance })
      await transaction.collection('ledger').add({ _id: 'entry-1', amount: -30 })
      const inside = await transaction.collection('accounts').doc('acc').get()
      return inside.data.balance
    })

    expect(result).toBe(70)
    expect(store.get('accounts', 'acc')?.balance).toBe(70)
    expect(store.get('ledger', 'entry-1')).toEqual({ _id: 'entry-1', amount: -30 })
  })

  it('writes nothing when the transaction callback throws', async () => {
    await db.collection('wallets').add({ _id: 'w', balance: 5 })

    const run = db.runTransaction(async (transaction: SdkTransaction) => {
      await transaction.collection('wallets').doc('w').update({ balance: 0 })
      await transaction.collection('wallets').add({ _id: 'w2', balance: 5 })
      throw new Error('insufficient points')
    })

    await expect(run).rejects.toThrow('insufficient points')
    expect(store.find('wallets', {})).toEqual([{ _id: 'w', balance: 5 }])
    expect(seenActions).toContain('database.abortTransaction')
  })

  it('keeps a counter right under 10 concurrent runTransactions', async () => {
    await db.collection('counters').add({ _id: 'n', value: 0 })
    answeredCodes.length = 0

    const runs = Array.from({ length: 10 }, () =>
      db.runTransaction(async (transaction: SdkTransaction) => {
        const counter = await transaction.collection('counters').doc('n').get()
        await transaction
          .collection('counters')
          .doc('n')
          .update({ value: counter.data.value + 1 })
      }),
    )
    const outcomes = await Promise.allSettled(runs)

    const committed = outcomes.filter((outcome) => outcome.status === 'fulfilled').length
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as { code?: string }] : [],
    )
    const conflicts = answeredCodes.filter((code) => code === 'DATABASE_TRANSACTION_CONFLICT')
    expect(conflicts.length).toBeGreaterThan(0)
    expect(committed).toBeGreaterThan(0)
    expect(failures.every((failure) => failure.code === 'DATABASE_TRANSACTION_CONFLICT')).toBe(true)
    expect(store.get('counters', 'n')?.value).toBe(committed)
  })

  it('runs startTransaction with set, remove, commit and rollback', async () => {
    await db.collection('boxes').add([
      { _id: 'b1', n: 1 },
      { _id: 'b2', n: 2 },
    ])

    const transaction = await db.startTransaction()
    await transaction.collection('boxes').doc('b1').set({ n: 10 })
    await transaction.collection('boxes').doc('b2').remove()
    await transaction.collection('boxes').doc('b3').set({ n: 3 })
    expect(store.find('boxes', {}).map((doc) => doc.n)).toEqual([1, 2])
    await transaction.commit()
    expect(store.find('boxes', {}, { sort: { _id: 1 } })).toEqual([
      { _id: 'b1', n: 10 },
      { _id: 'b3', n: 3 },
    ])

    const abandoned = await db.startTransaction()
    await abandoned.collection('boxes').doc('b1').update({ n: 99 })
    await abandoned.rollback()
    expect(store.get('boxes', 'b1')?.n).toBe(10)
    await expect(abandoned.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' })
  })

  it('reports a conflict to the loser of two explicit transactions on one document', async () => {
    await db.collection('stock').add({ _id: 'item', left: 1 })

    const first = await db.startTransaction()
    const second = await db.startTransaction()
    await first.collection('stock').doc('item').get()
    await second.collection('stock').doc('item').get()
    await first.collection('stock').doc('item').update({ left: 0 })
    await second.collection('stock').doc('item').update({ left: 0 })

    await first.commit()
    await expect(second.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' })
  })
})

describe('database actions answered directly', () => {
  it('answers unknown actions and bad bodies with codes instead of throwing', async () => {
    const unknown = await actions.handle({ action: 'database.explode' })
    expect(unknown).toMatchObject({ code: 'INVALID_ACTION', requestId: expect.any(String) })

    const noCollection = await actions.handle({ action: 'database.getDocument' })
    expect(noCollection).toMatchObject({ code: 'INVALID_PARAM' })

    const badQuery = await actions.handle({
      action: 'database.getDocument',
      collectionName: 'x',
      query: '{not ejson',
    })
    expect(badQuery).toMatchObject({ code: 'INVALID_PARAM' })

    const badOperator = await actions.handle({
      action: 'database.modifyDocument',
      collectionName: 'x',
      query: '{}',
      data: '{"$explode":{"a":1}}',
      merge: true,
    })
    expect(badOperator).toMatchObject({ code: 'DATABASE_INVALID_OPERRATOR' })

    const goneTransaction = await actions.handle({
      action: 'database.commitTransaction',
      transactionId: 'nope',
    })
    expect(goneTransaction).toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' })
  })

  it('serves the legacy in-transaction document actions', async () => {
    store.insert('legacy', [{ _id: 'l1', n: 1 }])
    const started = await actions.handle({ action: 'database.startTransaction' })
    const transactionId = started.transactionId as string
    const base = { collectionName: 'legacy', transactionId }

    const got = await actions.handle({ action: 'database.getInTransaction', ...base, _id: 'l1' })
    expect(got.data).toBe('{"_id":"l1","n":{"$numberInt":"1"}}')

    const updated = await actions.handle({
      action: 'database.updateDocInTransaction',
      ...base,
      _id: 'l1',
      data: '{"$set":{"n":{"$numberInt":"2"}}}',
    })
    expect(updated).toMatchObject({ updated: '1' })

    const upserted = await actions.handle({
      action: 'database.updateDocInTransaction',
      ...base,
      _id: 'l2',
      data: '{"n":{"$numberInt":"5"}}',
      upsert: true,
    })
    expect(upserted).toMatchObject({ upserted: '[{"_id":"l2"}]' })

    const deleted = await actions.handle({
      action: 'database.deleteDocInTransaction',
      ...base,
      _id: 'l1',
    })
    expect(deleted).toMatchObject({ deleted: '1' })

    await actions.handle({ action: 'database.commitTransaction', transactionId })
    expect(store.find('legacy', {})).toEqual([{ _id: 'l2', n: 5 }])
  })
})
