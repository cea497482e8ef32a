import type {
  AggregateStage,
  Database,
  Doc,
  Filter,
  FindOptions,
  Patch,
  TransactionScope,
} from '../cloudfunctions/domain/ports'
import {
  DuplicateKeyError,
  TransactionConflictError,
  type DocumentStore,
  type StoreTransaction,
} from './store'

const TRANSACTION_ATTEMPTS = 12

/**
 * The domain's database port straight on the local store, without HTTP. The demo loader uses it
 * to replay years of history through the same domain code the functions run, in seconds.
 */
export function createDirectDatabase(store: DocumentStore): Database {
  return {
    async get<T extends Doc>(collection: string, id: string) {
      return store.get(collection, id) as T | null
    },

    async find<T extends Doc>(collection: string, filter: Filter, options: FindOptions = {}) {
      const sort = options.orderBy
        ? Object.fromEntries(options.orderBy.map(([field, way]) => [field, way === 'asc' ? 1 : -1]))
        : undefined

      return store.find(collection, filter, {
        sort: sort as Record<string, 1 | -1> | undefined,
        skip: options.skip,
        limit: options.limit ?? 100,
      }) as T[]
    },

    async count(collection: string, filter: Filter) {
      return store.count(collection, filter)
    },

    async aggregate<T>(collection: string, pipeline: AggregateStage[]) {
      return store.aggregate(collection, pipeline) as T[]
    },

    async insert(collection: string, doc: Doc) {
      try {
        store.insert(collection, [doc])

        return true
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false

        throw error
      }
    },

    async set(collection: string, doc: Doc) {
      const { _id: id, ...fields } = doc
      store.replace(collection, id, fields, { upsert: true })
    },

    async update(collection: string, id: string, patch: Patch) {
      store.update(collection, { _id: id }, toUpdateSpec(patch), { multi: false, upsert: false })
    },

    async transaction<R>(work: (scope: TransactionScope) => Promise<R>): Promise<R> {
      for (let attempt = 1; ; attempt += 1) {
        const transaction = store.beginTransaction()
        try {
          const result = await work(toScope(transaction))
          transaction.commit()

          return result
        } catch (error) {
          transaction.abort()
          const isConflict = error instanceof TransactionConflictError
          if (!isConflict || attempt >= TRANSACTION_ATTEMPTS) throw error
        }
      }
    },
  }
}

function toScope(transaction: StoreTransaction): TransactionScope {
  return {
    async get<T extends Doc>(collection: string, id: string) {
      return transaction.get(collection, id) as T | null
    },

    async insert(collection: string, doc: Doc) {
      transaction.insert(collection, [doc])
    },

    async set(collection: string, doc: Doc) {
      const { _id: id, ...fields } = doc
      transaction.replace(collection, id, fields, { upsert: true })
    },

    async update(collection: string, id: string, patch: Patch) {
      transaction.update(collection, id, toUpdateSpec(patch), { upsert: false })
    },

    async remove(collection: string, id: string) {
      transaction.remove(collection, id)
    },
  }
}

function toUpdateSpec(patch: Patch): Record<string, unknown> {
  const spec: Record<string, unknown> = {}
  if (patch.set && Object.keys(patch.set).length) spec.$set = patch.set
  if (patch.inc && Object.keys(patch.inc).length) spec.$inc = patch.inc
  if (patch.unset?.length) spec.$unset = Object.fromEntries(patch.unset.map((field) => [field, '']))

  return spec
}
