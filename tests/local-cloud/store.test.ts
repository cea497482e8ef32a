import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DocumentStore,
  DuplicateKeyError,
  InvalidDocumentError,
  InvalidOperatorError,
  TransactionConflictError,
  TransactionNotFoundError,
} from '../../local-cloud/store'

const FROZEN_NOW = new Date('2024-05-01T08:00:00.000Z')

function openMemoryStore(options: { monotonicNow?: () => number } = {}): DocumentStore {
  return DocumentStore.open(':memory:', { now: () => FROZEN_NOW, ...options })
}

describe('DocumentStore queries', () => {
  let store: DocumentStore

  beforeEach(() => {
    store = openMemoryStore()
    store.insert('members', [
      {
        _id: 'm1',
        name: 'Li',
        points: 30,
        tier: 'gold',
        tags: ['vip', 'sh'],
        home: { city: 'SH' },
      },
      { _id: 'm2', name: 'Wang', points: 10, tier: 'silver', tags: ['bj'], home: { city: 'BJ' } },
      { _id: 'm3', name: 'Zhao', points: 20, tier: 'gold', tags: [], home: { city: 'SH' } },
      { _id: 'm4', name: 'Chen', points: 40, tier: 'bronze', home: { city: 'GZ' } },
    ])
  })

  afterEach(() => store.close())

  it('finds by equality, nested paths, operators and array membership', () => {
    const ids = (query: Record<string, unknown>) =>
      store.find('members', query).map((doc) => doc._id)

    expect(ids({ tier: 'gold' })).toEqual(['m1', 'm3'])
    expect(ids({ 'home.city': 'SH', points: { $gt: 25 } })).toEqual(['m1'])
    expect(ids({ tags: 'vip' })).toEqual(['m1'])
    expect(ids({ $or: [{ points: { $lt: 15 } }, { tier: 'bronze' }] })).toEqual(['m2', 'm4'])
    expect(ids({ name: { $regex: /^(li|zh)/i } })).toEqual(['m1', 'm3'])
    expect(ids({ tags: { $exists: false } })).toEqual(['m4'])
    expect(ids({ _id: { $in: ['m3', 'm1', 'nope'] } })).toEqual(['m1', 'm3'])
    expect(store.count('members', { tier: { $in: ['gold', 'bronze'] } })).toBe(3)
    expect(store.find('nowhere', {})).toEqual([])
  })

  it('sorts, pages and projects', () => {
    const page = store.find('members', {}, { sort: { points: -1 }, skip: 1, limit: 2 })
    expect(page.map((doc) => doc._id)).toEqual(['m1', 'm3'])

    const byTierThenPoints = store.find('members', {}, { sort: { tier: 1, points: 1 } })
    expect(byTierThenPoints.map((doc) => doc._id)).toEqual(['m4', 'm3', 'm1', 'm2'])

    const projected = store.find(
      'members',
      { _id: 'm1' },
      { projection: { name: 1, 'home.city': 1 } },
    )
    expect(projected).toEqual([{ _id: 'm1', name: 'Li', home: { city: 'SH' } }])

    const excluded = store.find('members', { _id: 'm2' }, { projection: { tags: 0, home: 0 } })
    expect(excluded).toEqual([{ _id: 'm2', name: 'Wang', points: 10, tier: 'silver' }])
  })

  it('returns copies, so callers cannot change stored documents', () => {
    const doc = store.get('members', 'm1') as unknown as { tags: string[] }
    doc.tags.push('hacked')

    expect(store.get('members', 'm1')?.tags).toEqual(['vip', 'sh'])
  })

  it('keeps equality indexes right across inserts, updates and removes', () => {
    expect(store.find('members', { tier: 'gold' }).map((doc) => doc._id)).toEqual(['m1', 'm3'])

    const once = { multi: false, upsert: false }
    store.update('members', { _id: 'm1' }, { $set: { tier: 'silver' } }, once)
    store.insert('members', [{ _id: 'm5', tier: 'gold', tags: ['vip'] }])
    store.remove('members', { _id: 'm3' }, { multi: false })
    store.update('members', { _id: 'm2' }, { $push: { tags: 'vip' } }, once)
    store.replace('members', 'm4', { tier: 'gold' }, { upsert: false })

    expect(store.find('members', { tier: 'gold' }).map((doc) => doc._id)).toEqual(['m4', 'm5'])
    expect(store.find('members', { tier: 'silver' }).map((doc) => doc._id)).toEqual(['m1', 'm2'])
    expect(store.find('members', { tier: { $in: ['silver', 'gold'] }, points: 10 })).toHaveLength(1)
    expect(store.find('members', { tags: 'vip' }).map((doc) => doc._id)).toEqual(['m1', 'm2', 'm5'])
    expect(store.find('members', { $and: [{ tier: 'gold' }, { _id: 'm5' }] })).toHaveLength(1)
  })

  it('answers an indexed query over 50k documents without scanning them all', () => {
    const visits = Array.from({ length: 50_000 }, (_, index) => ({
      _id: `v${index}`,
      memberId: `m${index % 5000}`,
      amount: index,
    }))
    store.insert('visits', visits)
    store.find('visits', { memberId: 'm0' })

    const testedBefore = store.documentsTested
    for (let round = 0; round < 200; round += 1) {
      expect(store.find('visits', { memberId: `m${round}` })).toHaveLength(10)
    }
    // The index hands each query its ten documents; a scan would test all 50k each time.
    expect(store.documentsTested - testedBefore).toBe(200 * 10)
  })
})

describe('DocumentStore writes', () => {
  let store: DocumentStore

  beforeEach(() => {
    store = openMemoryStore()
  })

  afterEach(() => store.close())

  function updateOne(id: string, update: Record<string, unknown>) {
    return store.update('docs', { _id: id }, update, { multi: false, upsert: false })
  }

  it('generates an _id when missing and refuses a duplicate one, writing nothing', () => {
    const [generated] = store.insert('docs', [{ value: 1 }])
    expect(generated).toMatch(/^[0-9a-f]{24}$/)

    store.insert('docs', [{ _id: 'a', value: 1 }])
    expect(() => store.insert('docs', [{ _id: 'b' }, { _id: 'a' }])).toThrow(DuplicateKeyError)
    expect(() => store.insert('docs', [{ _id: 'c' }, { _id: 'c' }])).toThrow(DuplicateKeyError)
    expect(store.get('docs', 'b')).toBeNull()
    expect(store.get('docs', 'c')).toBeNull()

    try {
      store.insert('docs', [{ _id: 'a' }])
    } catch (error) {
      expect((error as DuplicateKeyError).code).toBe('DATABASE_DUPLICATE_WRITE')
    }
  })

  it('applies $set on nested paths, $inc, $mul, $unset, $min, $max and $rename', () => {
    store.insert('docs', [{ _id: 'a', n: 5, price: 3, profile: { name: 'Li' }, old: 1, gone: 2 }])

    updateOne('a', {
      $set: { 'profile.address.city': 'SH' },
      $inc: { n: 2, 'stats.visits': 1 },
      $mul: { price: 4 },
      $unset: { gone: '' },
      $rename: { old: 'renamed' },
    })
    updateOne('a', { $min: { n: 3 }, $max: { price: 100, fresh: 1 } })

    expect(store.get('docs', 'a')).toEqual({
      _id: 'a',
      n: 3,
      price: 100,
      profile: { name: 'Li', address: { city: 'SH' } },
      stats: { visits: 1 },
      renamed: 1,
      fresh: 1,
    })
  })

  it('applies $push with $each, $position and $slice, $pull, $addToSet and $pop', () => {
    store.insert('docs', [{ _id: 'a', list: [1, 2, 3], tags: ['x'], queue: [1, 2, 3] }])

    updateOne('a', { $push: { list: { $each: [9, 8], $position: 0, $slice: 4 } } })
    expect(store.get('docs', 'a')?.list).toEqual([9, 8, 1, 2])

    updateOne('a', { $pull: { list: { $gte: 8 } }, $addToSet: { tags: { $each: ['x', 'y'] } } })
    updateOne('a', { $pop: { queue: -1 } })
    expect(store.get('docs', 'a')).toMatchObject({ list: [1, 2], tags: ['x', 'y'], queue: [2, 3] })
  })

  it('counts matched and actually updated documents, and honours multi', () => {
    store.insert('docs', [
      { _id: 'a', group: 'g', value: 1 },
      { _id: 'b', group: 'g', value: 2 },
      { _id: 'c', group: 'h', value: 1 },
    ])

    const setToOne = { $set: { value: 1 } }
    const single = store.update('docs', { group: 'g' }, setToOne, { multi: false, upsert: false })
    expect(single).toEqual({ matched: 1, updated: 0 })

    const many = store.update('docs', { group: 'g' }, setToOne, { multi: true, upsert: false })
    expect(many).toEqual({ matched: 2, updated: 1 })
    expect(store.count('docs', { value: 1 })).toBe(3)
  })

  it('upserts from the query equality fields and the update', () => {
    const result = store.update(
      'docs',
      { memberId: 'm1', day: { $eq: '2024-05-01' }, amount: { $gt: 0 } },
      { $inc: { count: 1 }, $setOnInsert: { createdAt: 'first' } },
      { multi: false, upsert: true },
    )
    expect(result.upsertedId).toEqual(expect.any(String))
    expect(store.get('docs', result.upsertedId as string)).toEqual({
      _id: result.upsertedId,
      memberId: 'm1',
      day: '2024-05-01',
      count: 1,
      createdAt: 'first',
    })

    const again = store.update(
      'docs',
      { memberId: 'm1' },
      { $inc: { count: 1 }, $setOnInsert: { createdAt: 'second' } },
      { multi: false, upsert: true },
    )
    expect(again).toEqual({ matched: 1, updated: 1 })
    expect(store.find('docs', { memberId: 'm1' })).toMatchObject([{ count: 2, createdAt: 'first' }])
  })

  it('replaces a whole document, upserting when asked', () => {
    store.insert('docs', [{ _id: 'a', old: true, keep: 1 }])

    const strict = { upsert: false }
    expect(store.replace('docs', 'a', { keep: 2 }, strict)).toEqual({ matched: 1, updated: 1 })
    expect(store.get('docs', 'a')).toEqual({ _id: 'a', keep: 2 })
    expect(store.replace('docs', 'a', { keep: 2 }, strict)).toEqual({ matched: 1, updated: 0 })
    expect(store.replace('docs', 'z', { keep: 3 }, strict)).toEqual({ matched: 0, updated: 0 })
    expect(store.replace('docs', 'z', { keep: 3 }, { upsert: true })).toEqual({
      matched: 0,
      updated: 0,
      upsertedId: 'z',
    })
    expect(store.get('docs', 'z')).toEqual({ _id: 'z', keep: 3 })
  })

  it('removes one or many', () => {
    store.insert('docs', [
      { _id: 'a', g: 1 },
      { _id: 'b', g: 1 },
      { _id: 'c', g: 1 },
    ])

    expect(store.remove('docs', { g: 1 }, { multi: false })).toBe(1)
    expect(store.remove('docs', { g: 1 }, { multi: true })).toBe(2)
    expect(store.count('docs', {})).toBe(0)
  })

  it('resolves serverDate values to the store clock, with their offset', () => {
    store.insert('docs', [{ _id: 'a', at: { $tcb_server_date: { offset: 0 } } }])
    updateOne('a', { $set: { later: { $tcb_server_date: { offset: 60_000 } } } })

    const doc = store.get('docs', 'a')
    expect(doc?.at).toEqual(FROZEN_NOW)
    expect(doc?.later).toEqual(new Date(FROZEN_NOW.getTime() + 60_000))
    expect(store.count('docs', { at: { $lte: { $tcb_server_date: { offset: 0 } } } })).toBe(1)
  })

  it('refuses unknown operators, conflicting paths and _id changes with stable codes', () => {
    store.insert('docs', [{ _id: 'a', n: 1 }])

    expect(() => updateOne('a', { $frobnicate: { n: 1 } })).toThrow(InvalidOperatorError)
    expect(() => updateOne('a', { $set: { n: 2 }, $inc: { n: 1 } })).toThrow(InvalidOperatorError)
    expect(() => updateOne('a', { $set: { _id: 'b' } })).toThrow(InvalidDocumentError)
    expect(() => store.find('docs', { n: { $nope: 1 } })).toThrow(InvalidOperatorError)
    expect(store.get('docs', 'a')).toEqual({ _id: 'a', n: 1 })
  })

  it('keeps number and string ids apart', () => {
    store.insert('docs', [
      { _id: 1, kind: 'number' },
      { _id: '1', kind: 'string' },
    ])

    expect(store.get('docs', 1)?.kind).toBe('number')
    expect(store.get('docs', '1')?.kind).toBe('string')
  })
})

describe('DocumentStore transactions', () => {
  let store: DocumentStore
  let monotonic = 0

  beforeEach(() => {
    monotonic = 0
    store = openMemoryStore({ monotonicNow: () => monotonic })
    store.insert('accounts', [
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ])
  })

  afterEach(() => store.close())

  it('sees its own writes, hides them from others until commit, then applies all', () => {
    const transaction = store.beginTransaction()
    transaction.update('accounts', 'a', { $inc: { balance: -30 } }, { upsert: false })
    transaction.update('accounts', 'b', { $inc: { balance: 30 } }, { upsert: false })
    transaction.insert('ledger', [{ _id: 'e1', amount: 30 }])

    expect(transaction.get('accounts', 'a')?.balance).toBe(70)
    expect(transaction.find('ledger', { amount: 30 })).toHaveLength(1)
    expect(store.get('accounts', 'a')?.balance).toBe(100)
    expect(store.get('ledger', 'e1')).toBeNull()

    transaction.commit()
    expect(store.get('accounts', 'a')?.balance).toBe(70)
    expect(store.get('accounts', 'b')?.balance).toBe(30)
    expect(store.get('ledger', 'e1')).toEqual({ _id: 'e1', amount: 30 })
  })

  it('lets exactly one of two transactions on one document commit', () => {
    const first = store.beginTransaction()
    const second = store.beginTransaction()
    const firstBalance = first.get('accounts', 'a')?.balance as number
    const secondBalance = second.get('accounts', 'a')?.balance as number
    first.update('accounts', 'a', { $set: { balance: firstBalance - 80 } }, { upsert: false })
    second.update('accounts', 'a', { $set: { balance: secondBalance - 80 } }, { upsert: false })

    first.commit()
    expect(() => second.commit()).toThrow(TransactionConflictError)
    expect(store.get('accounts', 'a')?.balance).toBe(20)
    expect(() => second.get('accounts', 'a')).toThrow(TransactionNotFoundError)
  })

  it('conflicts when a plain write changes a document the transaction read', () => {
    const transaction = store.beginTransaction()
    transaction.get('accounts', 'b')
    transaction.update('accounts', 'a', { $inc: { balance: 1 } }, { upsert: false })

    store.update(
      'accounts',
      { _id: 'b' },
      { $inc: { balance: 5 } },
      { multi: false, upsert: false },
    )

    expect(() => transaction.commit()).toThrow(
      expect.objectContaining({ code: 'DATABASE_TRANSACTION_CONFLICT' }),
    )
    expect(store.get('accounts', 'a')?.balance).toBe(100)
  })

  it('conflicts when two transactions both create the same absent document', () => {
    const first = store.beginTransaction()
    const second = store.beginTransaction()
    first.insert('coupons', [{ _id: 'c1', owner: 'x' }])
    second.insert('coupons', [{ _id: 'c1', owner: 'y' }])

    first.commit()
    expect(() => second.commit()).toThrow(TransactionConflictError)
    expect(store.get('coupons', 'c1')?.owner).toBe('x')
  })

  it('refuses to insert an existing id, and leaves nothing behind on abort', () => {
    const transaction = store.beginTransaction()
    expect(() => transaction.insert('accounts', [{ _id: 'a' }])).toThrow(DuplicateKeyError)

    transaction.insert('accounts', [{ _id: 'c', balance: 1 }])
    transaction.remove('accounts', 'b')
    transaction.replace('accounts', 'a', { balance: 0 }, { upsert: false })
    transaction.abort()

    expect(store.find('accounts', {}, { sort: { _id: 1 } })).toEqual([
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ])
    expect(() => transaction.commit()).toThrow(TransactionNotFoundError)
  })

  it('removes, replaces and upserts by id within a transaction', () => {
    const transaction = store.beginTransaction()
    expect(transaction.remove('accounts', 'b')).toBe(1)
    expect(transaction.remove('accounts', 'b')).toBe(0)
    expect(transaction.get('accounts', 'b')).toBeNull()
    expect(transaction.update('accounts', 'n', { $inc: { balance: 5 } }, { upsert: true })).toEqual(
      {
        matched: 0,
        updated: 0,
        upsertedId: 'n',
      },
    )
    transaction.replace('accounts', 'a', { balance: 1, note: 'r' }, { upsert: false })
    transaction.commit()

    expect(store.find('accounts', {}, { sort: { _id: 1 } })).toEqual([
      { _id: 'a', balance: 1, note: 'r' },
      { _id: 'n', balance: 5 },
    ])
  })

  it('expires a transaction left open past the timeout, applying nothing', () => {
    const transaction = store.beginTransaction()
    transaction.update('accounts', 'a', { $inc: { balance: 1 } }, { upsert: false })

    monotonic += 30_001
    expect(() => store.getTransaction(transaction.id)).toThrow(TransactionNotFoundError)
    expect(() => transaction.commit()).toThrow(TransactionNotFoundError)
    expect(store.get('accounts', 'a')?.balance).toBe(100)
  })
})

describe('DocumentStore pages in _id order', () => {
  const DUE = '2026-04-01T00:00:00+08:00'
  const LATER = '2026-05-01T00:00:00+08:00'
  // Ids whose order is easy to get wrong: upper case before lower, 'l10' before 'l9', a number
  // before every string, negative and fractional numbers, and characters outside ASCII.
  const IDS: (string | number)[] = [
    'l9',
    'l10',
    'L2',
    'l1',
    '通卡',
    'l1.5',
    7,
    -3,
    2.5,
    'a',
    'z',
    'Z',
    '!',
    100,
    'l1a',
  ]
  let store: DocumentStore

  beforeEach(() => {
    store = openMemoryStore()
    store.insert(
      'lots',
      IDS.map((id, index) => ({
        _id: id,
        openExpiresAt: index % 4 === 3 ? LATER : DUE,
        remaining: index % 5 === 4 ? 0 : 10,
      })),
    )
  })

  afterEach(() => store.close())

  type Reader = Pick<DocumentStore, 'find'>
  type Options = { sort: Record<string, 1 | -1>; skip?: number; limit: number }

  /** The same query without a limit, which every find answers by testing and sorting all. */
  function expectSameAsFullSort(
    reader: Reader,
    query: Record<string, unknown>,
    options: Options & { projection?: Record<string, unknown> },
  ) {
    const { skip = 0, limit, ...unlimited } = options
    const everything = reader.find('lots', query, unlimited)
    const page = reader.find('lots', query, options)
    expect(page).toEqual(everything.slice(skip, skip + limit))
    return page
  }

  const queries: Record<string, unknown>[] = [
    { openExpiresAt: DUE, _id: { $gt: 'l1' } },
    { openExpiresAt: DUE, _id: { $gte: 'l1' } },
    { openExpiresAt: DUE, _id: { $lt: 'l9' } },
    { openExpiresAt: DUE, _id: { $gt: 0 } },
    { openExpiresAt: DUE, _id: { $lte: 7 } },
    { openExpiresAt: DUE, _id: { $gt: '', $lt: 'z' }, remaining: { $gt: 0 } },
    { openExpiresAt: { $in: [DUE, LATER] }, _id: { $gt: 'L2' } },
    { $and: [{ openExpiresAt: DUE }, { _id: { $gte: 'a' } }] },
    { _id: { $gt: 'a' } },
    { _id: { $in: ['z', 'a', 7, 'missing'] } },
    { remaining: 10 },
    {},
  ]

  it('answers equality plus an _id range as sorting every match would, both ways', () => {
    for (const query of queries) {
      for (const way of [1, -1] as const) {
        for (const [skip, limit] of [
          [0, 1],
          [0, 3],
          [2, 3],
          [0, 100],
        ]) {
          expectSameAsFullSort(store, query, { sort: { _id: way }, skip, limit })
          expectSameAsFullSort(store, query, {
            sort: { _id: way },
            skip,
            limit,
            projection: { remaining: 1 },
          })
          // Without `_id` the sort has nothing to sort by, so these stay in insertion order.
          expectSameAsFullSort(store, query, {
            sort: { _id: way },
            skip,
            limit,
            projection: { _id: 0, openExpiresAt: 1 },
          })
        }
      }
    }
  })

  it('orders numbers before strings and strings by code unit', () => {
    const page = store.find('lots', {}, { sort: { _id: 1 }, limit: 100 })
    expect(page.map((doc) => doc._id)).toEqual([
      -3,
      2.5,
      7,
      100,
      '!',
      'L2',
      'Z',
      'a',
      'l1',
      'l1.5',
      'l10',
      'l1a',
      'l9',
      'z',
      '通卡',
    ])

    const descending = store.find('lots', { _id: { $lt: 'l1a' } }, { sort: { _id: -1 }, limit: 3 })
    expect(descending.map((doc) => doc._id)).toEqual(['l10', 'l1.5', 'l1'])
  })

  it('walks a cursor through every due lot while lots come and go between pages', () => {
    const seen: (string | number)[] = []
    let cursor = ''
    for (let round = 0; round < 20; round += 1) {
      const query = { openExpiresAt: DUE, _id: { $gt: cursor } }
      const page = expectSameAsFullSort(store, query, { sort: { _id: 1 }, limit: 2 })
      if (page.length === 0) break

      seen.push(...page.map((doc) => doc._id))
      cursor = page.at(-1)?._id as string
      // As the expiry does: the page's lots close; meanwhile a lot is added on each side of the
      // cursor and one ahead of it is removed.
      store.update(
        'lots',
        { _id: { $in: page.map((doc) => doc._id) } },
        { $unset: { openExpiresAt: '' } },
        { multi: true, upsert: false },
      )
      store.insert('lots', [
        { _id: `${cursor}-ahead${round}`, openExpiresAt: DUE, remaining: 10 },
        { _id: `${cursor.slice(0, -1)}!${round}`, openExpiresAt: DUE, remaining: 10 },
      ])
      store.remove('lots', { openExpiresAt: DUE, _id: { $gt: cursor } }, { multi: false })
    }

    const strings = seen.filter((id) => typeof id === 'string') as string[]
    expect(strings).toEqual([...strings].sort())
    expect(seen.every((id) => typeof id === 'string')).toBe(true)
    expect(store.find('lots', { openExpiresAt: DUE, _id: { $gt: cursor } })).toEqual([])
  })

  it('pages the same inside a transaction, over its own inserts and removes', () => {
    const transaction = store.beginTransaction()
    transaction.insert('lots', [
      { _id: 'l2', openExpiresAt: DUE, remaining: 10 },
      { _id: 0, openExpiresAt: DUE, remaining: 10 },
    ])
    transaction.remove('lots', 'l10')
    transaction.update('lots', 'l9', { $set: { openExpiresAt: LATER } }, { upsert: false })

    for (const query of queries) {
      for (const way of [1, -1] as const) {
        for (const [skip, limit] of [
          [0, 2],
          [1, 3],
        ]) {
          expectSameAsFullSort(transaction, query, { sort: { _id: way }, skip, limit })
        }
      }
    }
    const page = transaction.find(
      'lots',
      { openExpiresAt: DUE, _id: { $gt: 'l1' } },
      { sort: { _id: 1 }, limit: 3 },
    )
    expect(page.map((doc) => doc._id)).toEqual(['l1.5', 'l1a', 'l2'])
    expect(store.find('lots', { _id: 'l2' })).toEqual([])
    transaction.abort()
  })

  it('tests only about a page of a 100k-lot backlog for each page of a cursor walk', () => {
    store.insert(
      'backlog',
      Array.from({ length: 100_000 }, (_, index) => ({
        _id: `b${String(index).padStart(6, '0')}`,
        openExpiresAt: DUE,
      })),
    )
    const readPage = (cursor: string) =>
      store.find(
        'backlog',
        { openExpiresAt: DUE, _id: { $gt: cursor } },
        { sort: { _id: 1 }, limit: 1000 },
      )

    const testedBefore = store.documentsTested
    let cursor = ''
    for (let page = 0; page < 10; page += 1) {
      const lots = readPage(cursor)
      expect(lots).toHaveLength(1000)
      cursor = lots.at(-1)?._id as string
    }

    expect(cursor).toBe('b009999')
    // Testing and sorting every due lot, as each page once did, would be 100k tests a page.
    expect(store.documentsTested - testedBefore).toBe(10 * 1000)
  })
})

describe('DocumentStore persistence', () => {
  it('reopens with every document, version and order intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongka-store-'))
    try {
      const store = DocumentStore.open(dir)
      store.insert('docs', [
        { _id: 'b', at: new Date(0) },
        { _id: 'a', n: 1 },
      ])
      store.update('docs', { _id: 'a' }, { $inc: { n: 1 } }, { multi: false, upsert: false })
      store.remove('docs', { _id: 'missing' }, { multi: false })
      const transaction = store.beginTransaction()
      transaction.insert('docs', [{ _id: 'c' }])
      transaction.commit()
      const stale = store.beginTransaction()
      stale.get('docs', 'a')
      store.close()

      const reopened = DocumentStore.open(dir)
      expect(reopened.find('docs', {})).toEqual([
        { _id: 'b', at: new Date(0) },
        { _id: 'a', n: 2 },
        { _id: 'c' },
      ])
      const after = reopened.beginTransaction()
      after.update('docs', 'a', { $inc: { n: 1 } }, { upsert: false })
      reopened.update('docs', { _id: 'a' }, { $inc: { n: 10 } }, { multi: false, upsert: false })
      expect(() => after.commit()).toThrow(TransactionConflictError)
      reopened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
