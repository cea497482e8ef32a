import type tcb from '@cloudbase/node-sdk'
import type { Database as SdkDatabase } from '@cloudbase/node-sdk/types/db'
import type {
  AggregateStage,
  Comparison,
  Database,
  Doc,
  Filter,
  FindOptions,
  Patch,
  TransactionScope,
} from '../domain/ports'

type CloudbaseApp = ReturnType<typeof tcb.init>
type Command = ReturnType<CloudbaseApp['database']>['command']
type Transaction = SdkDatabase.Transaction

const CONFLICT_CODE = 'DATABASE_TRANSACTION_CONFLICT'
/** Beyond the SDK's own three tries, contended documents get a few more, spread apart. */
const TRANSACTION_ATTEMPTS = 12
const DEFAULT_FIND_LIMIT = 100

/** The domain's database port on CloudBase, through the official SDK. */
export function createCloudbaseDatabase(app: CloudbaseApp): Database {
  const db = app.database()
  const command = db.command

  return {
    async get<T extends Doc>(collection: string, id: string) {
      const answer = await db.collection(collection).doc(id).get()

      return ((answer.data as T[])[0] ?? null) as T | null
    },

    async find<T extends Doc>(collection: string, filter: Filter, options: FindOptions = {}) {
      let query = db.collection(collection).where(toWhere(command, filter))
      for (const [field, direction] of options.orderBy ?? []) {
        query = query.orderBy(field, direction)
      }
      if (options.skip) query = query.skip(options.skip)
      const answer = await query.limit(options.limit ?? DEFAULT_FIND_LIMIT).get()

      return answer.data as T[]
    },

    async count(collection: string, filter: Filter) {
      const answer = await db.collection(collection).where(toWhere(command, filter)).count()

      return answer.total as number
    },

    async aggregate<T>(collection: string, pipeline: AggregateStage[]) {
      // Raw stages pass through as written; the SDK's typings know neither the option nor the
      // argument, both of which its aggregation reads.
      const reference = db.collection(collection).options({ raw: true } as object) as unknown as {
        aggregate(stages: AggregateStage[]): { end(): Promise<{ data: unknown[] }> }
      }
      const answer = await reference.aggregate(pipeline).end()

      return answer.data as T[]
    },

    async insert(collection: string, doc: Doc) {
      try {
        await db.collection(collection).add(doc)

        return true
      } catch (error) {
        // CloudBase names a duplicate id in more than one way; the document being there settles it.
        const existing = await db.collection(collection).doc(doc._id).get()
        if ((existing.data as Doc[]).length > 0) return false

        throw error
      }
    },

    async set(collection: string, doc: Doc) {
      const { _id: id, ...fields } = doc
      await db.collection(collection).doc(id).set(fields)
    },

    async update(collection: string, id: string, patch: Patch) {
      await db.collection(collection).doc(id).update(toUpdate(command, patch))
    },

    async transaction<R>(work: (scope: TransactionScope) => Promise<R>): Promise<R> {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await db.runTransaction(async (transaction: Transaction) =>
            work(toScope(transaction, command)),
          )
        } catch (error) {
          const isConflict = (error as { code?: string }).code === CONFLICT_CODE
          if (!isConflict || attempt >= TRANSACTION_ATTEMPTS) throw error

          await waitBeforeRetry(attempt)
        }
      }
    },
  }
}

function toScope(transaction: Transaction, command: Command): TransactionScope {
  return {
    async get<T extends Doc>(collection: string, id: string) {
      const answer = await transaction.collection(collection).doc(id).get()

      return (answer.data ?? null) as unknown as T | null
    },

    async insert(collection: string, doc: Doc) {
      await transaction.collection(collection).add(doc)
    },

    async set(collection: string, doc: Doc) {
      const { _id: id, ...fields } = doc
      await transaction.collection(collection).doc(id).set(fields)
    },

    async update(collection: string, id: string, patch: Patch) {
      await transaction.collection(collection).doc(id).update(toUpdate(command, patch))
    },

    async remove(collection: string, id: string) {
      await transaction.collection(collection).doc(id).remove()
    },
  }
}

function toWhere(command: Command, filter: Filter): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filter).map(([field, condition]) => [field, toCondition(command, condition)]),
  )
}

function toCondition(command: Command, condition: unknown): unknown {
  if (!isComparison(condition)) return condition

  const parts = Object.entries(condition).map(([operator, operand]) => {
    switch (operator) {
      case '$eq':
        return command.eq(operand)
      case '$ne':
        return command.neq(operand)
      case '$lt':
        return command.lt(operand)
      case '$lte':
        return command.lte(operand)
      case '$gt':
        return command.gt(operand)
      case '$gte':
        return command.gte(operand)
      case '$in':
        return command.in(operand as unknown[])
      default:
        throw new Error(`unsupported filter operator ${operator}`)
    }
  })

  // The SDK types `and` as a logic command, which is as good as a query command in a filter.
  return parts.reduce((combined, part) => combined.and(part) as unknown as typeof part)
}

function isComparison(value: unknown): value is Comparison {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false

  const keys = Object.keys(value)

  return keys.length > 0 && keys.every((key) => key.startsWith('$'))
}

function toUpdate(command: Command, patch: Patch): Record<string, unknown> {
  const update: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(patch.set ?? {})) {
    const isStructured = value !== null && typeof value === 'object'
    update[field] = isStructured ? command.set(value as object) : value
  }
  for (const [field, amount] of Object.entries(patch.inc ?? {})) {
    update[field] = command.inc(amount)
  }
  for (const field of patch.unset ?? []) {
    update[field] = command.remove()
  }

  return update
}

function waitBeforeRetry(attempt: number): Promise<void> {
  const delayMs = Math.random() * 10 * Math.min(attempt, 6)

  return new Promise((resolve) => setTimeout(resolve, delayMs))
}
