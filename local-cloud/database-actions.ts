/**
 * Answers the `database.*` actions that @cloudbase/node-sdk POSTs, in the shapes its
 * document.ts, query.ts, collection.ts, aggregate.ts and transaction code read back.
 */
import { BSONRegExp, EJSON } from 'bson'
import {
  DocumentStore,
  StoreError,
  StoreTransaction,
  type Doc,
  type DocumentId,
  type FindOptions,
  type NewDoc,
  type QueryFilter,
  type SortSpec,
  type UpdateSpec,
  type WriteResult,
} from './store'

export type DatabaseActionBody = { action?: unknown } & Record<string, unknown>
export type DatabaseActionAnswer = { requestId: string } & Record<string, unknown>

export type DatabaseActionErrorCode =
  'INVALID_ACTION' | 'INVALID_PARAM' | 'DATABASE_REQUEST_FAILED' | StoreError['code']

export interface DatabaseActions {
  /** Never rejects: failures are answered as `{ code, message, requestId }`. */
  handle(body: DatabaseActionBody): Promise<DatabaseActionAnswer>
}

/** A request the SDK could not have meant: missing or malformed parameters. */
class InvalidRequestError extends Error {
  readonly code = 'INVALID_PARAM'
}

class UnknownActionError extends Error {
  readonly code = 'INVALID_ACTION'
}

type ActionResult = Record<string, unknown>
type ActionHandler = (body: DatabaseActionBody) => ActionResult

const MAX_LIMIT = 1000

export function createDatabaseActions(store: DocumentStore, now: () => Date): DatabaseActions {
  let requestCount = 0
  const nextRequestId = () => `${now().getTime()}_local_${(requestCount += 1)}`

  const handlers: Record<string, ActionHandler> = {
    'database.getDocument': (body) => getDocuments(store, body),
    'database.insertDocument': (body) => insertDocuments(store, body),
    'database.modifyDocument': (body) => modifyDocuments(store, body),
    'database.removeDocument': (body) => removeDocuments(store, body),
    'database.calculateDocument': (body) => countDocuments(store, body),
    'database.modifyAndReturnDoc': (body) => modifyAndReturnDocument(store, body),
    'database.aggregateDocuments': (body) => aggregateDocuments(store, body),
    'database.startTransaction': () => ({ transactionId: store.beginTransaction().id }),
    'database.commitTransaction': (body) => {
      requireTransaction(store, body).commit()
      return {}
    },
    'database.abortTransaction': (body) => {
      requireTransaction(store, body).abort()
      return {}
    },
    'database.getInTransaction': (body) => getInLegacyTransaction(store, body),
    'database.updateDocInTransaction': (body) => updateInLegacyTransaction(store, body),
    'database.deleteDocInTransaction': (body) => deleteInLegacyTransaction(store, body),
  }

  return {
    async handle(body) {
      const requestId = nextRequestId()
      try {
        const action = typeof body?.action === 'string' ? body.action : ''
        const handler = handlers[action]
        if (!handler) throw new UnknownActionError(`unknown action ${action || '(none)'}`)

        return { ...handler(body), requestId }
      } catch (error) {
        return { ...describeError(error), requestId }
      }
    },
  }
}

function getDocuments(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  const query = readQuery(body)
  const options = readFindOptions(body)
  const transaction = findTransaction(store, body)
  const docId = readDocId(body, query)

  let docs: Doc[]
  if (transaction && docId !== undefined) {
    const doc = transaction.get(collection, docId)
    docs = doc ? transaction.find(collection, { _id: docId }, options) : []
  } else if (transaction) {
    docs = transaction.find(collection, query, options)
  } else {
    docs = store.find(collection, query, options)
  }

  return {
    data: { list: docs.map(encodeDocument), limit: options.limit, offset: options.skip ?? 0 },
  }
}

function insertDocuments(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  if (!Array.isArray(body.data) || body.data.length === 0) {
    throw new InvalidRequestError('data must be a non-empty array of documents')
  }

  const docs = body.data.map((item) => readObject(item, 'data') as NewDoc)
  const transaction = findTransaction(store, body)
  const insertedIds = transaction
    ? transaction.insert(collection, docs)
    : store.insert(collection, docs)
  return { data: { insertedIds } }
}

function modifyDocuments(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  const query = readQuery(body)
  const data = readObject(body.data, 'data')
  const isMerge = body.merge !== false
  const isUpsert = body.upsert === true
  const isMulti = body.multi === true
  const transaction = findTransaction(store, body)
  const docId = readDocId(body, query)

  if (!isMerge) {
    const targetId = docId ?? firstMatchId(store, transaction, collection, query)
    return answerWrite(replaceDocument(store, transaction, collection, targetId, data, isUpsert))
  }

  const update = toUpdateSpec(data)
  if (!transaction) {
    return answerWrite(
      store.update(collection, query, update, { multi: isMulti, upsert: isUpsert }),
    )
  }

  if (docId !== undefined) {
    return answerWrite(transaction.update(collection, docId, update, { upsert: isUpsert }))
  }
  if (isUpsert) throw new InvalidRequestError('an upsert by query cannot run in a transaction')

  const targets = transaction.find(collection, query, isMulti ? {} : { limit: 1 })
  let updated = 0
  for (const target of targets) {
    updated += transaction.update(collection, target._id, update, { upsert: false }).updated
  }
  return { data: { matched: targets.length, updated } }
}

function removeDocuments(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  const query = readQuery(body)
  const isMulti = body.multi === true
  const transaction = findTransaction(store, body)
  if (!transaction) {
    return { data: { deleted: store.remove(collection, query, { multi: isMulti }) } }
  }

  const docId = readDocId(body, query)
  const ids =
    docId !== undefined
      ? [docId]
      : transaction.find(collection, query, isMulti ? {} : { limit: 1 }).map((doc) => doc._id)
  let deleted = 0
  for (const id of ids) deleted += transaction.remove(collection, id)
  return { data: { deleted } }
}

function countDocuments(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  const query = readQuery(body)
  const transaction = findTransaction(store, body)
  const total = transaction
    ? transaction.find(collection, query).length
    : store.count(collection, query)
  return { data: { total } }
}

/** Updates the first match and answers it as it is after the update (findOneAndUpdate). */
function modifyAndReturnDocument(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  const query = readQuery(body)
  const update = toUpdateSpec(readObject(body.data, 'data'))
  const transaction = findTransaction(store, body)
  const targetId = firstMatchId(store, transaction, collection, query)
  if (targetId === undefined) return { data: { updated: 0, doc: null } }

  const result = transaction
    ? transaction.update(collection, targetId, update, { upsert: false })
    : store.update(collection, { _id: targetId }, update, { multi: false, upsert: false })
  const doc = transaction ? transaction.get(collection, targetId) : store.get(collection, targetId)
  return { data: { updated: result.updated, doc: doc ? encodeDocument(doc) : null } }
}

function aggregateDocuments(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const collection = readCollection(body)
  if (!Array.isArray(body.stages)) throw new InvalidRequestError('stages must be an array')

  const pipeline = body.stages.map((stage) => {
    const { stageKey, stageValue } = (stage ?? {}) as { stageKey?: unknown; stageValue?: unknown }
    if (typeof stageKey !== 'string' || typeof stageValue !== 'string') {
      throw new InvalidRequestError('each stage needs a stageKey and a stageValue string')
    }
    return { [stageKey]: decodeEjson(stageValue, 'stageValue') }
  })
  const list = store.aggregate(collection, pipeline)
  return { data: { list: list.map(encodeDocument) } }
}

/** The SDK's first transaction API answers documents and counts as EJSON strings. */
function getInLegacyTransaction(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const transaction = requireTransaction(store, body)
  const doc = transaction.get(readCollection(body), readLegacyId(body))
  return { data: EJSON.stringify(doc, { relaxed: false }) }
}

function updateInLegacyTransaction(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const transaction = requireTransaction(store, body)
  const collection = readCollection(body)
  const id = readLegacyId(body)
  const data = readObject(body.data, 'data')
  const isUpsert = body.upsert === true
  const hasOperators = Object.keys(data).some((key) => key.startsWith('$'))

  const result = hasOperators
    ? transaction.update(collection, id, data, { upsert: isUpsert })
    : transaction.replace(collection, id, data, { upsert: isUpsert })
  const upserted =
    result.upsertedId !== undefined ? JSON.stringify([{ _id: result.upsertedId }]) : undefined
  return { updated: String(result.updated), upserted }
}

function deleteInLegacyTransaction(store: DocumentStore, body: DatabaseActionBody): ActionResult {
  const transaction = requireTransaction(store, body)
  const deleted = transaction.remove(readCollection(body), readLegacyId(body))
  return { deleted: String(deleted) }
}

function answerWrite(result: WriteResult): ActionResult {
  return {
    data: { matched: result.matched, updated: result.updated, upsert_id: result.upsertedId },
  }
}

function replaceDocument(
  store: DocumentStore,
  transaction: StoreTransaction | undefined,
  collection: string,
  targetId: DocumentId | undefined,
  data: Record<string, unknown>,
  isUpsert: boolean,
): WriteResult {
  if (targetId === undefined) {
    if (!isUpsert) return { matched: 0, updated: 0 }

    const [insertedId] = transaction
      ? transaction.insert(collection, [data])
      : store.insert(collection, [data])
    return { matched: 0, updated: 0, upsertedId: insertedId }
  }

  return transaction
    ? transaction.replace(collection, targetId, data, { upsert: isUpsert })
    : store.replace(collection, targetId, data, { upsert: isUpsert })
}

function firstMatchId(
  store: DocumentStore,
  transaction: StoreTransaction | undefined,
  collection: string,
  query: QueryFilter,
): DocumentId | undefined {
  const [first] = transaction
    ? transaction.find(collection, query, { limit: 1 })
    : store.find(collection, query, { limit: 1, projection: { _id: 1 } })
  return first?._id
}

/** `merge: true` data is operator form already; plain fields (raw mode) mean `$set`. */
function toUpdateSpec(data: Record<string, unknown>): UpdateSpec {
  const spec: UpdateSpec = {}
  const plain: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    if (key.startsWith('$')) spec[key] = value
    else plain[key] = value
  }
  if (Object.keys(plain).length === 0) return spec

  const set = (spec.$set ?? {}) as Record<string, unknown>
  return { ...spec, $set: { ...set, ...plain } }
}

function findTransaction(
  store: DocumentStore,
  body: DatabaseActionBody,
): StoreTransaction | undefined {
  const id = body.transactionId
  if (id === undefined || id === null || id === '') return undefined
  if (typeof id !== 'string') throw new InvalidRequestError('transactionId must be a string')

  return store.getTransaction(id)
}

function requireTransaction(store: DocumentStore, body: DatabaseActionBody): StoreTransaction {
  const transaction = findTransaction(store, body)
  if (!transaction) throw new InvalidRequestError('transactionId is required')
  return transaction
}

function readCollection(body: DatabaseActionBody): string {
  const name = body.collectionName
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidRequestError('collectionName is required')
  }
  return name
}

function readQuery(body: DatabaseActionBody): QueryFilter {
  if (body.query === undefined || body.query === '') return {}
  return readObject(body.query, 'query')
}

/** The `_id` a DOC-type request names; undefined for WHERE requests. */
function readDocId(body: DatabaseActionBody, query: QueryFilter): DocumentId | undefined {
  if (body.queryType !== 'DOC') return undefined

  const id = query._id
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new InvalidRequestError('a DOC query must name a string or number _id')
  }
  return id
}

function readLegacyId(body: DatabaseActionBody): DocumentId {
  const id = body._id
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new InvalidRequestError('_id must be a string or a number')
  }
  return id
}

function readFindOptions(body: DatabaseActionBody): FindOptions {
  const options: FindOptions = {}
  if (typeof body.limit === 'number' && body.limit > 0) {
    options.limit = Math.min(body.limit, MAX_LIMIT)
  }
  if (typeof body.offset === 'number' && body.offset > 0) options.skip = body.offset
  if (body.projection !== undefined && body.projection !== '') {
    options.projection = readObject(body.projection, 'projection')
  }
  if (body.order !== undefined && body.order !== '') {
    options.sort = readSort(decodeEjson(body.order, 'order'))
  }
  return options
}

/** The SDK sends `{ field: 1 | -1 }`; older callers send `[{ field, direction }]`. */
function readSort(order: unknown): SortSpec {
  const sort: SortSpec = {}
  const pairs: [unknown, unknown][] = Array.isArray(order)
    ? order.map((item) => [item?.field, item?.direction])
    : Object.entries((order ?? {}) as Record<string, unknown>)
  for (const [field, direction] of pairs) {
    if (typeof field !== 'string') throw new InvalidRequestError('order fields must be strings')
    sort[field] = direction === -1 || direction === 'desc' ? -1 : 1
  }
  return sort
}

function readObject(value: unknown, name: string): Record<string, unknown> {
  const decoded = typeof value === 'string' ? decodeEjson(value, name) : toQueryValue(value)
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new InvalidRequestError(`${name} must be an object`)
  }
  return decoded as Record<string, unknown>
}

function decodeEjson(text: unknown, name: string): unknown {
  if (typeof text !== 'string') throw new InvalidRequestError(`${name} must be an EJSON string`)

  try {
    return toQueryValue(EJSON.parse(text, { relaxed: true }))
  } catch (error) {
    throw new InvalidRequestError(`${name} is not valid EJSON: ${(error as Error).message}`)
  }
}

/** mingo evaluates JavaScript RegExp; EJSON hands back BSONRegExp. */
function toQueryValue(value: unknown): unknown {
  if (value instanceof BSONRegExp) {
    const flags = [...new Set(value.options)].filter((flag) => 'imsu'.includes(flag)).join('')
    return new RegExp(value.pattern, flags)
  }
  if (Array.isArray(value)) return value.map(toQueryValue)
  if (value === null || typeof value !== 'object' || value.constructor !== Object) return value

  const converted: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) converted[key] = toQueryValue(item)
  return converted
}

function encodeDocument(doc: Record<string, unknown>): string {
  return EJSON.stringify(doc, { relaxed: false })
}

function describeError(error: unknown): { code: DatabaseActionErrorCode; message: string } {
  if (
    error instanceof StoreError ||
    error instanceof InvalidRequestError ||
    error instanceof UnknownActionError
  ) {
    return { code: error.code, message: error.message }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'DATABASE_REQUEST_FAILED', message }
}
