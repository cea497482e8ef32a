/**
 * The local cloud's document store: every collection lives in memory and is queried with mingo
 * (MongoDB semantics); every acknowledged write is first made durable in SQLite.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { EJSON, ObjectId } from 'bson'
import { Query, aggregate as aggregateDocuments, update as updateObject } from 'mingo'
import type { Modifier } from 'mingo/updater'

export type DocumentId = string | number
export type Doc = { _id: DocumentId } & Record<string, unknown>
export type NewDoc = { _id?: DocumentId } & Record<string, unknown>
export type QueryFilter = Record<string, unknown>
export type UpdateSpec = Record<string, unknown>
export type SortSpec = Record<string, 1 | -1>
export type ProjectionSpec = Record<string, unknown>

export interface FindOptions {
  sort?: SortSpec
  skip?: number
  limit?: number
  projection?: ProjectionSpec
}

export interface WriteResult {
  matched: number
  updated: number
  upsertedId?: DocumentId
}

export interface StoreOptions {
  /** The business clock: serverDate values resolve against it. */
  now?: () => Date
  transactionTimeoutMs?: number
  /** Measures transaction age; separate from `now` because the dev clock can jump. */
  monotonicNow?: () => number
  /** `process-crash` (default) survives a killed server; `power-loss` also a dead machine. */
  durability?: 'process-crash' | 'power-loss'
}

export type StoreErrorCode =
  | 'DATABASE_DUPLICATE_WRITE'
  | 'DATABASE_TRANSACTION_CONFLICT'
  | 'DATABASE_TRANSACTION_FAIL'
  | 'DATABASE_INVALID_OPERRATOR'
  | 'INVALID_PARAM'

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** An insert named an `_id` that already exists. */
export class DuplicateKeyError extends StoreError {
  constructor(collection: string, id: DocumentId) {
    super(
      'DATABASE_DUPLICATE_WRITE',
      `E11000 duplicate key error collection: ${collection} index: _id_ dup key: ` +
        `{ _id: ${JSON.stringify(id)} }`,
    )
  }
}

/** Another writer changed a document this transaction touched. */
export class TransactionConflictError extends StoreError {
  constructor(message = 'database transaction conflict') {
    super('DATABASE_TRANSACTION_CONFLICT', message)
  }
}

/** The transaction is unknown, expired, committed or aborted (CloudBase's TransactionNotExist). */
export class TransactionNotFoundError extends StoreError {
  constructor(id: string) {
    super('DATABASE_TRANSACTION_FAIL', `transaction ${id} does not exist or is no longer open`)
  }
}

/** A query or update the engine refuses: unknown operator, conflicting paths, wrong types. */
export class InvalidOperatorError extends StoreError {
  constructor(message: string) {
    super('DATABASE_INVALID_OPERRATOR', message)
  }
}

/** A document the store cannot hold as given (bad `_id`, an update that changes `_id`). */
export class InvalidDocumentError extends StoreError {
  constructor(message: string) {
    super('INVALID_PARAM', message)
  }
}

interface Entry {
  doc: Doc
  version: number
  /** Insertion order, so that results without a sort come in a stable order. */
  sequence: number
}

interface Change {
  collection: string
  doc: Doc | null
  key: string
}

interface DocumentRow {
  collection: string
  id: string
  json: string
  version: number
}

const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000
const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$bit',
  '$currentDate',
  '$setOnInsert',
])

export class DocumentStore {
  private readonly collections = new Map<string, Map<string, Entry>>()
  private readonly indexes = new Map<string, Map<string, EqualityIndex>>()
  private readonly transactions = new Map<string, StoreTransaction>()
  private readonly now: () => Date
  private readonly monotonicNow: () => number
  private readonly transactionTimeoutMs: number
  private lastVersion = 0
  private lastSequence = 0
  private testedCount = 0
  private readonly persistChanges: (changes: Change[], version: number) => void

  /** Opens (creating if needed) the store kept in `dir`; `':memory:'` keeps nothing on disk. */
  static open(dir: string, options: StoreOptions = {}): DocumentStore {
    if (dir === ':memory:') return new DocumentStore(new Database(':memory:'), options)

    mkdirSync(dir, { recursive: true })
    return new DocumentStore(new Database(join(dir, 'documents.sqlite')), options)
  }

  private constructor(
    private readonly db: Database.Database,
    options: StoreOptions,
  ) {
    this.now = options.now ?? (() => new Date())
    this.monotonicNow = options.monotonicNow ?? (() => performance.now())
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS

    db.pragma('journal_mode = WAL')
    // Each commit reaches the WAL file before it is acknowledged, so a killed server loses
    // nothing it acknowledged; fsync per commit (FULL) would only add power-loss safety to a
    // local stand-in, and it blocks the one event loop every function shares.
    db.pragma(`synchronous = ${options.durability === 'power-loss' ? 'FULL' : 'NORMAL'}`)
    db.exec(`CREATE TABLE IF NOT EXISTS documents (
      collection TEXT NOT NULL,
      id TEXT NOT NULL,
      version INTEGER NOT NULL,
      json TEXT NOT NULL,
      UNIQUE (collection, id)
    )`)

    const upsertRow = db.prepare(
      `INSERT INTO documents (collection, id, version, json) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version, json = excluded.json`,
    )
    const deleteRow = db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?')
    this.persistChanges = db.transaction((changes: Change[], version: number) => {
      for (const change of changes) {
        if (change.doc) {
          upsertRow.run(change.collection, change.key, version, serializeDocument(change.doc))
        } else {
          deleteRow.run(change.collection, change.key)
        }
      }
    })

    this.loadDocuments()
  }

  /** Every collection that holds a document, for tests that must look everywhere. */
  collectionNames(): string[] {
    return [...this.collections].filter(([, docs]) => docs.size > 0).map(([name]) => name)
  }

  get(collection: string, id: DocumentId): Doc | null {
    const entry = this.readEntry(collection, keyOf(id))
    return entry ? cloneValue(entry.doc) : null
  }

  find(collection: string, query: QueryFilter, options: FindOptions = {}): Doc[] {
    const filter = this.prepareInput(query)
    const window = idWindowOf(options)
    const matched =
      (window && this.matchIdWindow(collection, filter, window)) ??
      this.matchEntries(collection, filter)
    return shapeResults(
      matched.map((entry) => entry.doc),
      options,
    )
  }

  count(collection: string, query: QueryFilter): number {
    return this.matchEntries(collection, this.prepareInput(query)).length
  }

  aggregate(collection: string, pipeline: Record<string, unknown>[]): Record<string, unknown>[] {
    const source = this.allEntries(collection).map((entry) => entry.doc)
    const stages = this.prepareInput(pipeline)
    const resolveCollection = (name: string) => this.allEntries(name).map((entry) => entry.doc)

    const results = runEngine(() =>
      aggregateDocuments(source, stages, { collectionResolver: resolveCollection }),
    )
    return results.map((doc) => cloneValue(doc))
  }

  insert(collection: string, docs: NewDoc[]): DocumentId[] {
    const changes = this.stageInserts(
      collection,
      docs.map((doc) => this.prepareInput(doc)),
    )

    this.commitChanges(changes)
    return changes.map((change) => (change.doc as Doc)._id)
  }

  update(
    collection: string,
    query: QueryFilter,
    update: UpdateSpec,
    options: { multi: boolean; upsert: boolean },
  ): WriteResult {
    const filter = this.prepareInput(query)
    const spec = this.prepareInput(update)
    assertUpdateOperators(spec)

    const matched = this.matchEntries(collection, filter)
    const targets = options.multi ? matched : matched.slice(0, 1)
    const changes: Change[] = []
    for (const entry of targets) {
      const next = applyUpdate(entry.doc, spec, false)
      if (next) changes.push({ collection, key: keyOf(next._id), doc: next })
    }

    if (targets.length === 0 && options.upsert) {
      const doc = buildUpsertDocument(filter, spec)
      const key = keyOf(doc._id)
      if (this.readEntry(collection, key)) throw new DuplicateKeyError(collection, doc._id)

      this.commitChanges([{ collection, key, doc }])
      return { matched: 0, updated: 0, upsertedId: doc._id }
    }

    this.commitChanges(changes)
    return { matched: targets.length, updated: changes.length }
  }

  replace(
    collection: string,
    id: DocumentId,
    doc: Record<string, unknown>,
    options: { upsert: boolean },
  ): WriteResult {
    const next = buildReplacement(id, this.prepareInput(doc))
    const key = keyOf(id)
    const entry = this.readEntry(collection, key)
    if (!entry && !options.upsert) return { matched: 0, updated: 0 }

    if (entry && serializeDocument(entry.doc) === serializeDocument(next)) {
      return { matched: 1, updated: 0 }
    }

    this.commitChanges([{ collection, key, doc: next }])
    return entry ? { matched: 1, updated: 1 } : { matched: 0, updated: 0, upsertedId: id }
  }

  remove(collection: string, query: QueryFilter, options: { multi: boolean }): number {
    const matched = this.matchEntries(collection, this.prepareInput(query))
    const targets = options.multi ? matched : matched.slice(0, 1)

    this.commitChanges(
      targets.map((entry) => ({ collection, key: keyOf(entry.doc._id), doc: null })),
    )
    return targets.length
  }

  beginTransaction(): StoreTransaction {
    this.expireTransactions()

    const transaction = new StoreTransaction(this.transactionHost, randomBytes(12).toString('hex'))
    this.transactions.set(transaction.id, transaction)
    return transaction
  }

  /** The open transaction with this id; throws TransactionNotFoundError when it is gone. */
  getTransaction(id: string): StoreTransaction {
    this.expireTransactions()

    const transaction = this.transactions.get(id)
    if (!transaction) throw new TransactionNotFoundError(id)
    return transaction
  }

  /**
   * Runs a bulk load (the demo chain) with writes left to the OS, then makes everything durable
   * at once. A load cut short is simply run again: its marker document is written last.
   */
  async withBulkLoad<T>(load: () => Promise<T>): Promise<T> {
    const synchronous = this.db.pragma('synchronous', { simple: true })
    this.db.pragma('synchronous = OFF')
    try {
      return await load()
    } finally {
      this.db.pragma('wal_checkpoint(TRUNCATE)')
      this.db.pragma(`synchronous = ${synchronous}`)
    }
  }

  close(): void {
    for (const transaction of this.transactions.values()) transaction.abort()
    this.db.close()
  }

  private readonly transactionHost: TransactionHost = {
    readEntry: (collection, key) => this.readEntry(collection, key),
    matchEntries: (collection, query) => this.matchEntries(collection, query),
    prepareInput: (value) => this.prepareInput(value),
    commitChanges: (changes) => this.commitChanges(changes),
    isExpired: (startedAt) => this.monotonicNow() - startedAt > this.transactionTimeoutMs,
    monotonicNow: () => this.monotonicNow(),
    forget: (id) => this.transactions.delete(id),
  }

  private expireTransactions(): void {
    for (const transaction of this.transactions.values()) transaction.expireIfStale()
  }

  private loadDocuments(): void {
    const rows = this.db
      .prepare('SELECT collection, id, version, json FROM documents ORDER BY rowid')
      .all() as DocumentRow[]
    for (const row of rows) {
      const doc = EJSON.parse(row.json, { relaxed: true }) as Doc
      this.collectionEntries(row.collection).set(row.id, {
        doc,
        version: row.version,
        sequence: ++this.lastSequence,
      })
      this.lastVersion = Math.max(this.lastVersion, row.version)
    }
  }

  private collectionEntries(collection: string): Map<string, Entry> {
    let entries = this.collections.get(collection)
    if (!entries) {
      entries = new Map()
      this.collections.set(collection, entries)
    }
    return entries
  }

  private readEntry(collection: string, key: string): Entry | undefined {
    return this.collections.get(collection)?.get(key)
  }

  private allEntries(collection: string): Entry[] {
    return [...(this.collections.get(collection)?.values() ?? [])]
  }

  private stageInserts(collection: string, docs: NewDoc[]): Change[] {
    const keys = new Set<string>()
    return docs.map((input) => {
      const doc = withDocumentId(input)
      const key = keyOf(doc._id)
      if (keys.has(key) || this.readEntry(collection, key)) {
        throw new DuplicateKeyError(collection, doc._id)
      }

      keys.add(key)
      return { collection, key, doc }
    })
  }

  /** The one write path: SQLite first, so memory never holds what the disk does not. */
  private commitChanges(changes: Change[]): void {
    if (changes.length === 0) return

    const version = this.lastVersion + 1
    this.persistChanges(changes, version)
    this.lastVersion = version

    for (const change of changes) {
      const entries = this.collectionEntries(change.collection)
      const before = entries.get(change.key)
      if (change.doc) {
        const sequence = before?.sequence ?? ++this.lastSequence
        entries.set(change.key, { doc: change.doc, version, sequence })
      } else {
        entries.delete(change.key)
      }
      this.reindex(change.collection, change.key, before?.doc, change.doc ?? undefined)
    }
  }

  private reindex(collection: string, key: string, before?: Doc, after?: Doc): void {
    const indexes = this.indexes.get(collection)
    if (!indexes) return

    for (const index of indexes.values()) {
      if (before) index.remove(key, before)
      if (after) index.add(key, after)
    }
  }

  private indexFor(collection: string, field: string): EqualityIndex {
    let indexes = this.indexes.get(collection)
    if (!indexes) {
      indexes = new Map()
      this.indexes.set(collection, indexes)
    }

    let index = indexes.get(field)
    if (!index) {
      index = new EqualityIndex(field)
      for (const [key, entry] of this.collections.get(collection) ?? []) index.add(key, entry.doc)
      indexes.set(field, index)
    }
    return index
  }

  private matchEntries(collection: string, query: QueryFilter): Entry[] {
    const entries = this.collections.get(collection)
    if (!entries || entries.size === 0) return []

    const candidates = this.selectCandidates(collection, entries, query)
    if (Object.keys(query).length === 0) return candidates

    const compiled = runEngine(() => new Query(query, {}))
    this.testedCount += candidates.length
    return candidates.filter((entry) => runEngine(() => compiled.test(entry.doc)))
  }

  /**
   * How many documents the store's own queries have tested against a filter since it opened: the
   * work a query did, counted rather than timed, so that a test can pin that an index was used.
   */
  get documentsTested(): number {
    return this.testedCount
  }

  /**
   * The first `window.take` matches in `_id` order, which is all a find sorted by `_id` with a
   * limit can return: the candidates are narrowed by the query's `_id` range with plain
   * comparisons and only taken in order until enough of them pass the query, so a cursor's page
   * costs about its own size plus one pass over the candidates' ids, not a test and sort of them
   * all. Undefined when a candidate's `_id` is neither a string nor a finite number.
   */
  private matchIdWindow(
    collection: string,
    query: QueryFilter,
    window: IdWindow,
  ): Entry[] | undefined {
    const entries = this.collections.get(collection)
    if (!entries || entries.size === 0) return []

    const isInRange = idRangeTest(query)
    const keys = this.candidateKeys(collection, query)
    const candidates: Entry[] = []
    // False for an id this order does not cover; the caller then sorts everything as mingo does.
    const isOrderable = (entry: Entry) => {
      const id = entry.doc._id
      if (typeof id !== 'string' && !Number.isFinite(id)) return false
      if (isInRange(id)) candidates.push(entry)
      return true
    }
    if (keys) {
      for (const key of keys) {
        const entry = entries.get(key)
        if (entry && !isOrderable(entry)) return undefined
      }
    } else {
      for (const entry of entries.values()) if (!isOrderable(entry)) return undefined
    }

    const compiled = Object.keys(query).length ? runEngine(() => new Query(query, {})) : null
    const matched: Entry[] = []
    const ordered = takeInOrder(candidates, (left, right) => {
      return window.direction * compareIds(left.doc._id, right.doc._id)
    })
    for (const entry of ordered) {
      this.testedCount += 1
      if (!compiled || runEngine(() => compiled.test(entry.doc))) matched.push(entry)
      if (matched.length === window.take) break
    }
    return matched
  }

  /** Narrows the scan with the primary key or an equality index when the query allows it. */
  private selectCandidates(
    collection: string,
    entries: Map<string, Entry>,
    query: QueryFilter,
  ): Entry[] {
    const keys = this.candidateKeys(collection, query)
    if (!keys) return [...entries.values()]

    const found: Entry[] = []
    for (const key of keys) {
      const entry = entries.get(key)
      if (entry) found.push(entry)
    }
    return sortBySequence(found)
  }

  /**
   * The keys the primary key or the smallest equality index names, in no order and perhaps of
   * absent documents; undefined when the query has no equality the store can look up.
   */
  private candidateKeys(collection: string, query: QueryFilter): Iterable<string> | undefined {
    const constraints = collectEqualityConstraints(query)
    const byId = constraints.find((constraint) => constraint.field === '_id')
    if (byId) return byId.values.map((value) => keyOf(value as DocumentId))

    let best: ReadonlySet<string> | undefined
    for (const constraint of constraints) {
      const keys = this.indexFor(collection, constraint.field).lookup(constraint.values)
      if (!best || keys.size < best.size) best = keys
    }
    return best
  }

  /** Copies caller input (so later mutation cannot reach the store) and resolves serverDate. */
  private prepareInput<T>(value: T): T {
    return cloneValue(value, this.now)
  }
}

/** What a transaction needs from its store; kept narrow so the store's state stays private. */
interface TransactionHost {
  readEntry(collection: string, key: string): Entry | undefined
  matchEntries(collection: string, query: QueryFilter): Entry[]
  prepareInput<T>(value: T): T
  commitChanges(changes: Change[]): void
  isExpired(startedAt: number): boolean
  monotonicNow(): number
  forget(id: string): void
}

interface Touched {
  collection: string
  key: string
  version: number
}

/**
 * Optimistic, document-level transaction: it remembers the version of every document it read
 * or wrote, buffers its writes, and at commit applies them only if none of those versions moved.
 */
export class StoreTransaction {
  private readonly touched = new Map<string, Touched>()
  private readonly writes = new Map<string, Change>()
  private state: 'open' | 'committed' | 'aborted' = 'open'
  private readonly startedAt: number

  constructor(
    private readonly host: TransactionHost,
    readonly id: string,
  ) {
    this.startedAt = host.monotonicNow()
  }

  /** Aborts the transaction once it has outlived the timeout, as CloudBase does. */
  expireIfStale(): void {
    if (this.state === 'open' && this.host.isExpired(this.startedAt)) this.finish('aborted')
  }

  get(collection: string, id: DocumentId): Doc | null {
    this.assertOpen()

    const doc = this.view(collection, keyOf(id))
    return doc ? cloneValue(doc) : null
  }

  /** Committed documents overlaid with this transaction's writes; every match is recorded. */
  find(collection: string, query: QueryFilter, options: FindOptions = {}): Doc[] {
    this.assertOpen()

    const filter = this.host.prepareInput(query)
    const compiled = Object.keys(filter).length ? runEngine(() => new Query(filter, {})) : null
    const matches = (doc: Doc) => !compiled || runEngine(() => compiled.test(doc))
    const results: Doc[] = []
    for (const entry of this.host.matchEntries(collection, filter)) {
      const key = keyOf(entry.doc._id)
      if (this.writes.has(touchKey(collection, key))) continue

      const doc = this.view(collection, key)
      if (doc) results.push(doc)
    }
    for (const change of this.writes.values()) {
      if (change.collection === collection && change.doc && matches(change.doc)) {
        results.push(change.doc)
      }
    }
    return shapeResults(results, options)
  }

  insert(collection: string, docs: NewDoc[]): DocumentId[] {
    this.assertOpen()

    const ids: DocumentId[] = []
    const staged: Change[] = []
    for (const input of docs) {
      const doc = withDocumentId(this.host.prepareInput(input))
      const key = keyOf(doc._id)
      const isStagedTwice = staged.some((change) => change.key === key)
      if (isStagedTwice || this.view(collection, key)) {
        throw new DuplicateKeyError(collection, doc._id)
      }

      staged.push({ collection, key, doc })
      ids.push(doc._id)
    }

    for (const change of staged) this.writes.set(touchKey(collection, change.key), change)
    return ids
  }

  update(
    collection: string,
    id: DocumentId,
    update: UpdateSpec,
    options: { upsert: boolean },
  ): WriteResult {
    this.assertOpen()

    const spec = this.host.prepareInput(update)
    assertUpdateOperators(spec)
    const key = keyOf(id)
    const current = this.view(collection, key)
    if (!current && !options.upsert) return { matched: 0, updated: 0 }

    if (!current) {
      const doc = buildUpsertDocument({ _id: id }, spec)
      this.writes.set(touchKey(collection, key), { collection, key, doc })
      return { matched: 0, updated: 0, upsertedId: id }
    }

    const next = applyUpdate(current, spec, false)
    if (next) this.writes.set(touchKey(collection, key), { collection, key, doc: next })
    return { matched: 1, updated: next ? 1 : 0 }
  }

  replace(
    collection: string,
    id: DocumentId,
    doc: Record<string, unknown>,
    options: { upsert: boolean },
  ): WriteResult {
    this.assertOpen()

    const next = buildReplacement(id, this.host.prepareInput(doc))
    const key = keyOf(id)
    const current = this.view(collection, key)
    if (!current && !options.upsert) return { matched: 0, updated: 0 }

    this.writes.set(touchKey(collection, key), { collection, key, doc: next })
    if (!current) return { matched: 0, updated: 0, upsertedId: id }

    const isSame = serializeDocument(current) === serializeDocument(next)
    return { matched: 1, updated: isSame ? 0 : 1 }
  }

  remove(collection: string, id: DocumentId): number {
    this.assertOpen()

    const key = keyOf(id)
    if (!this.view(collection, key)) return 0

    this.writes.set(touchKey(collection, key), { collection, key, doc: null })
    return 1
  }

  commit(): void {
    this.assertOpen()

    for (const touched of this.touched.values()) {
      const current = this.host.readEntry(touched.collection, touched.key)?.version ?? 0
      if (current !== touched.version) {
        this.finish('aborted')
        throw new TransactionConflictError(
          `document ${touched.collection}/${touched.key} changed since this transaction read it`,
        )
      }
    }

    this.host.commitChanges([...this.writes.values()])
    this.finish('committed')
  }

  abort(): void {
    if (this.state === 'open') this.finish('aborted')
  }

  /** This transaction's view of one document; records the version first seen. */
  private view(collection: string, key: string): Doc | null {
    const slot = touchKey(collection, key)
    const written = this.writes.get(slot)
    if (written) return written.doc

    const entry = this.host.readEntry(collection, key)
    const version = entry?.version ?? 0
    const touched = this.touched.get(slot)
    if (!touched) {
      this.touched.set(slot, { collection, key, version })
    } else if (touched.version !== version) {
      // Failing now rather than at commit lets runTransaction retry without wasted work.
      this.finish('aborted')
      throw new TransactionConflictError(`document ${collection}/${key} changed during transaction`)
    }
    return entry?.doc ?? null
  }

  private assertOpen(): void {
    this.expireIfStale()
    if (this.state !== 'open') throw new TransactionNotFoundError(this.id)
  }

  private finish(state: 'committed' | 'aborted'): void {
    this.state = state
    this.writes.clear()
    this.host.forget(this.id)
  }
}

const NO_KEYS: ReadonlySet<string> = new Set()

/** Equality lookups on one top-level field: index key of a scalar value -> document keys. */
class EqualityIndex {
  private readonly postings = new Map<string, Set<string>>()

  constructor(readonly field: string) {}

  add(key: string, doc: Doc): void {
    for (const indexKey of indexKeysOf(doc[this.field])) {
      let keys = this.postings.get(indexKey)
      if (!keys) {
        keys = new Set()
        this.postings.set(indexKey, keys)
      }
      keys.add(key)
    }
  }

  remove(key: string, doc: Doc): void {
    for (const indexKey of indexKeysOf(doc[this.field])) {
      const keys = this.postings.get(indexKey)
      keys?.delete(key)
      if (keys?.size === 0) this.postings.delete(indexKey)
    }
  }

  /** The keys holding any of `values`; one value's are the posting itself, not to be changed. */
  lookup(values: unknown[]): ReadonlySet<string> {
    if (values.length === 1) return this.postings.get(scalarKey(values[0]) as string) ?? NO_KEYS

    const found = new Set<string>()
    for (const value of values) {
      for (const key of this.postings.get(scalarKey(value) as string) ?? []) found.add(key)
    }
    return found
  }
}

interface EqualityConstraint {
  field: string
  values: unknown[]
}

/** Top-level `field: scalar`, `{ $eq }` and all-scalar `{ $in }`, also inside a top `$and`. */
function collectEqualityConstraints(query: QueryFilter): EqualityConstraint[] {
  const constraints: EqualityConstraint[] = []
  for (const [field, condition] of Object.entries(query)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) {
        if (isPlainObject(part)) constraints.push(...collectEqualityConstraints(part))
      }
      continue
    }
    if (field.startsWith('$') || field.includes('.')) continue

    const values = equalityValues(condition)
    if (values) constraints.push({ field, values })
  }
  return constraints
}

function equalityValues(condition: unknown): unknown[] | undefined {
  if (scalarKey(condition) !== undefined) return [condition]
  if (!isPlainObject(condition)) return undefined

  if ('$eq' in condition && scalarKey(condition.$eq) !== undefined) return [condition.$eq]
  const list = condition.$in
  if (Array.isArray(list) && list.every((value) => scalarKey(value) !== undefined)) return list
  return undefined
}

/** A key under which mongo equality is exact; undefined for values the index does not cover. */
function scalarKey(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return `s${value}`
    case 'number':
      return Number.isNaN(value) ? undefined : `n${value === 0 ? 0 : value}`
    case 'boolean':
      return `b${value}`
    default:
      return value instanceof Date ? `d${value.getTime()}` : undefined
  }
}

/** A scalar field is indexed under itself; an array under each scalar element (mongo matches). */
function indexKeysOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value]
  const keys: string[] = []
  for (const item of values) {
    const key = scalarKey(item)
    if (key !== undefined) keys.push(key)
  }
  return keys
}

function sortBySequence(entries: Entry[]): Entry[] {
  return entries.sort((left, right) => left.sequence - right.sequence)
}

/** A find sorted by `_id` alone with a limit: it can use only the first `take` matches. */
interface IdWindow {
  direction: 1 | -1
  /** Skip plus limit. */
  take: number
}

function idWindowOf(options: FindOptions): IdWindow | undefined {
  const { sort, skip = 0, limit } = options
  if (!sort || Object.keys(sort).join() !== '_id') return undefined
  if (limit === undefined || !Number.isInteger(limit) || limit < 1) return undefined
  if (!Number.isInteger(skip) || skip < 0) return undefined
  // The projection is applied before the sort, so one that hides or recomputes `_id` leaves the
  // results in insertion order.
  const projected = Object.keys(options.projection ?? {})
  if (projected.some((field) => field === '_id' || field.startsWith('_id.'))) return undefined

  return { direction: sort._id === -1 ? -1 : 1, take: skip + limit }
}

const ID_RANGE_OPERATORS = new Map<string, (order: number) => boolean>([
  ['$gt', (order) => order > 0],
  ['$gte', (order) => order >= 0],
  ['$lt', (order) => order < 0],
  ['$lte', (order) => order <= 0],
])

/**
 * The query's string or number bounds on `_id` (top level or in a top `$and`) as one test, which
 * passes exactly the ids mingo's `$gt`... would: only an id of the bound's type compares.
 */
function idRangeTest(query: QueryFilter): (id: DocumentId) => boolean {
  const bounds: { value: DocumentId; holds: (order: number) => boolean }[] = []
  const collect = (part: QueryFilter) => {
    const condition = part._id
    const isOperators =
      isPlainObject(condition) && Object.keys(condition).every((key) => key.startsWith('$'))
    for (const [operator, value] of isOperators ? Object.entries(condition) : []) {
      const holds = ID_RANGE_OPERATORS.get(operator)
      if (holds && (typeof value === 'string' || typeof value === 'number')) {
        bounds.push({ value, holds })
      }
    }
    if (Array.isArray(part.$and)) {
      for (const inner of part.$and) if (isPlainObject(inner)) collect(inner)
    }
  }
  collect(query)

  return (id) => {
    for (const { value, holds } of bounds) {
      if (typeof id !== typeof value || !holds(compareIds(id, value))) return false
    }
    return true
  }
}

/** Mingo's order of string and number ids, which `sort: { _id: 1 }` follows: numbers first. */
function compareIds(left: DocumentId, right: DocumentId): number {
  if (typeof left !== typeof right) return typeof left === 'number' ? -1 : 1
  return left < right ? -1 : left > right ? 1 : 0
}

/**
 * The items smallest first, as a heap: building it costs one pass, and each item taken costs
 * log n, so a caller that stops after k items never pays for sorting the rest. Reorders `items`.
 */
function* takeInOrder<T>(items: T[], compare: (left: T, right: T) => number): Generator<T> {
  const siftDown = (start: number, size: number) => {
    let parent = start
    for (;;) {
      const left = 2 * parent + 1
      if (left >= size) return
      const right = left + 1
      const child = right < size && compare(items[right], items[left]) < 0 ? right : left
      if (compare(items[child], items[parent]) >= 0) return
      ;[items[parent], items[child]] = [items[child], items[parent]]
      parent = child
    }
  }

  for (let index = (items.length >> 1) - 1; index >= 0; index -= 1) siftDown(index, items.length)
  for (let size = items.length; size > 0; size -= 1) {
    const top = items[0]
    items[0] = items[size - 1]
    siftDown(0, size - 1)
    yield top
  }
}

function shapeResults(docs: Doc[], options: FindOptions): Doc[] {
  const isShaped = options.sort || options.skip || options.limit !== undefined || options.projection
  if (!isShaped) return docs.map((doc) => cloneValue(doc))

  const results = runEngine(() => {
    let cursor = new Query<Doc>({}, {}).find<Doc>(docs, options.projection)
    if (options.sort && Object.keys(options.sort).length) cursor = cursor.sort(options.sort)
    if (options.skip) cursor = cursor.skip(options.skip)
    if (options.limit !== undefined) cursor = cursor.limit(options.limit)
    return cursor.all()
  })
  return results.map((doc) => cloneValue(doc))
}

function assertUpdateOperators(spec: UpdateSpec): void {
  const keys = Object.keys(spec)
  if (keys.length === 0) throw new InvalidOperatorError('update must not be empty')

  for (const key of keys) {
    if (!UPDATE_OPERATORS.has(key)) throw new InvalidOperatorError(`unknown update operator ${key}`)

    const fields = spec[key]
    const isIdTouched =
      isPlainObject(fields) &&
      Object.keys(fields).some((field) => field === '_id' || field.startsWith('_id.'))
    if (isIdTouched) throw new InvalidDocumentError('_id cannot be updated')
  }
}

/** The updated copy of `doc`, or null when the update changes nothing. */
function applyUpdate(doc: Doc, spec: UpdateSpec, isInsert: boolean): Doc | null {
  const { $setOnInsert: setOnInsert, ...modifier } = spec
  const next = cloneValue(doc)
  const changed = Object.keys(modifier).length
    ? runEngine(() => updateObject(next, modifier as Modifier<Doc>))
    : []
  if (isInsert && isPlainObject(setOnInsert)) {
    changed.push(...runEngine(() => updateObject(next, { $set: setOnInsert } as Modifier<Doc>)))
  }
  if (!Object.is(next._id, doc._id)) throw new InvalidDocumentError('_id cannot be updated')

  return changed.length ? next : null
}

/** Mongo's upsert: the query's equality fields, then the update applied to them. */
function buildUpsertDocument(filter: QueryFilter, spec: UpdateSpec): Doc {
  const seed: Record<string, unknown> = {}
  for (const constraint of collectUpsertFields(filter)) seed[constraint.field] = constraint.value
  const { _id: given, ...fields } = seed
  const id = (given as DocumentId | undefined) ?? new ObjectId().toHexString()
  assertDocumentId(id)

  const base = { _id: id } as Doc
  const seeded = Object.keys(fields).length
    ? (applyUpdate(base, { $set: fields }, true) ?? base)
    : base
  return applyUpdate(seeded, spec, true) ?? seeded
}

function collectUpsertFields(filter: QueryFilter): { field: string; value: unknown }[] {
  const fields: { field: string; value: unknown }[] = []
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) {
        if (isPlainObject(part)) fields.push(...collectUpsertFields(part))
      }
      continue
    }
    if (field.startsWith('$')) continue

    if (!isPlainObject(condition) || !Object.keys(condition).some((key) => key.startsWith('$'))) {
      fields.push({ field, value: condition })
    } else if ('$eq' in condition) {
      fields.push({ field, value: condition.$eq })
    }
  }
  return fields
}

function buildReplacement(id: DocumentId, doc: Record<string, unknown>): Doc {
  if ('_id' in doc && !Object.is(doc._id, id)) {
    throw new InvalidDocumentError('_id cannot be updated')
  }
  if (Object.keys(doc).some((key) => key.startsWith('$'))) {
    throw new InvalidOperatorError('a replacement document cannot hold update operators')
  }

  const { _id: ignored, ...fields } = doc
  return { _id: id, ...fields }
}

/** The document with its `_id` first, generating one (ObjectId hex) when missing. */
function withDocumentId(input: NewDoc): Doc {
  const { _id: given, ...fields } = input
  const id = given ?? new ObjectId().toHexString()
  assertDocumentId(id)
  return { _id: id, ...fields }
}

function assertDocumentId(id: unknown): asserts id is DocumentId {
  const isValid = (typeof id === 'string' && id.length > 0) || Number.isFinite(id)
  if (!isValid) throw new InvalidDocumentError('_id must be a non-empty string or a number')
}

/** Translates the engine's errors (unknown operator, path conflicts) into a stable code. */
function runEngine<T>(operation: () => T): T {
  try {
    return operation()
  } catch (error) {
    if (error instanceof StoreError) throw error
    throw new InvalidOperatorError(error instanceof Error ? error.message : String(error))
  }
}

function keyOf(id: DocumentId): string {
  // Numbers get a prefix no string id starts with, so doc(1) and doc('1') stay distinct.
  return typeof id === 'number' ? `\u0000n${id}` : id
}

function touchKey(collection: string, key: string): string {
  return `${collection}\u0000${key}`
}

function serializeDocument(doc: Doc): string {
  return EJSON.stringify(doc, { relaxed: true })
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * Deep copy of plain objects, arrays and dates; BSON values (ObjectId, Decimal128...) are
 * immutable and shared. With a clock, `{ $tcb_server_date: { offset } }` becomes that time.
 */
function cloneValue<T>(value: T, now?: () => Date): T {
  if (Array.isArray(value)) return value.map((item) => cloneValue(item, now)) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (!isPlainObject(value)) return value

  const serverDate = value.$tcb_server_date
  if (now && isPlainObject(serverDate) && Object.keys(value).length === 1) {
    const offset = typeof serverDate.offset === 'number' ? serverDate.offset : 0
    return new Date(now().getTime() + offset) as T
  }

  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) copy[key] = cloneValue(item, now)
  return copy as T
}
