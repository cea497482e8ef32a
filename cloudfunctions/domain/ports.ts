/**
 * What the domain needs from a database. The functions implement it on @cloudbase/node-sdk;
 * the demo loader implements it directly on the local cloud's store. Filters are MongoDB-shaped
 * and kept to what CloudBase can index: equality, comparisons and `$in` on top-level fields.
 */
export interface Doc {
  _id: string
  [field: string]: unknown
}

export type Comparison = {
  $eq?: unknown
  $ne?: unknown
  $lt?: unknown
  $lte?: unknown
  $gt?: unknown
  $gte?: unknown
  $in?: unknown[]
}

export type Filter = Record<string, unknown | Comparison>

/**
 * One MongoDB-shaped stage of an aggregation, kept to what CloudBase runs: `$match` (with plain
 * operators, not SDK commands), `$group`, `$project`, `$unwind`, `$sort`, `$skip` and `$limit`.
 */
export type AggregateStage = Record<string, unknown>

export interface FindOptions {
  orderBy?: Array<[field: string, direction: 'asc' | 'desc']>
  limit?: number
  skip?: number
}

/** A partial update: `set` replaces fields (dotted paths allowed), `inc` adds to numbers. */
export interface Patch {
  set?: Record<string, unknown>
  inc?: Record<string, number>
  unset?: string[]
}

export interface TransactionScope {
  get<T extends Doc>(collection: string, id: string): Promise<T | null>
  /** Creates the document; fails the transaction if the id exists. */
  insert(collection: string, doc: Doc): Promise<void>
  /** Creates or replaces the document. */
  set(collection: string, doc: Doc): Promise<void>
  update(collection: string, id: string, patch: Patch): Promise<void>
  remove(collection: string, id: string): Promise<void>
}

export interface Database {
  get<T extends Doc>(collection: string, id: string): Promise<T | null>
  find<T extends Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]>
  count(collection: string, filter: Filter): Promise<number>
  /**
   * Runs the pipeline in the database and answers what its last stage makes. CloudBase answers
   * 20 documents unless the pipeline ends in `$limit`, so a caller that pages ends in one.
   */
  aggregate<T>(collection: string, pipeline: AggregateStage[]): Promise<T[]>
  /** Inserts; answers false instead of failing when the id already exists. */
  insert(collection: string, doc: Doc): Promise<boolean>
  set(collection: string, doc: Doc): Promise<void>
  update(collection: string, id: string, patch: Patch): Promise<void>
  /**
   * Runs `work` as one transaction: all of its writes happen or none do. `work` may run more
   * than once when another transaction touched the same documents, so it must not have effects
   * outside the scope it is given.
   */
  transaction<R>(work: (scope: TransactionScope) => Promise<R>): Promise<R>
}
