import type { Comparison, Database, Doc, Filter } from './ports'

/**
 * Pages in a fixed order of one field and then `_id`. A page starts after the last document of
 * the page before, named by its value and id rather than by an offset, so documents added or
 * removed meanwhile neither repeat nor hide one on the other pages, and documents sharing the
 * same value (a batch issued in one instant) are never split or skipped.
 */

export interface KeysetOrder {
  field: string
  direction: 'asc' | 'desc'
}

/** The last document of the previous page: its value of the order field and its id. */
export interface KeysetPosition {
  value: string | number
  id: string
}

/** `<value>~<id>`: ids hold no `~`, so the last one splits them. */
export function formatKeysetCursor(value: string | number, id: string): string {
  return `${value}~${id}`
}

/** The position in a cursor the event schema already checked; numbers come back as numbers. */
export function parseKeysetCursor(cursor: string, isNumeric = false): KeysetPosition {
  const separator = cursor.lastIndexOf('~')
  const value = cursor.slice(0, separator)

  return { value: isNumeric ? Number(value) : value, id: cursor.slice(separator + 1) }
}

/**
 * A page of `size` from what `findAfter` answered for `size + 1`: the extra document only tells
 * that another page follows.
 */
export function splitPage<T extends Doc>(
  found: T[],
  size: number,
  field: string,
): { page: T[]; nextCursor: string | null } {
  const page = found.slice(0, size)
  const last = page.at(-1)
  const hasMore = found.length > size && last

  return {
    page,
    nextCursor: hasMore ? formatKeysetCursor(last[field] as string | number, last._id) : null,
  }
}

/**
 * Up to `limit` documents matching any of `filters`, in `order`, after `after`. More than one
 * filter stands for an `$or`, which CloudBase's indexed queries lack: each is read in the same
 * order and the answers merged. A filter may bound the order field only by a comparison the
 * position already satisfies, as any position taken from a matching document does.
 */
export async function findAfter<T extends Doc>(
  db: Database,
  collection: string,
  filters: Filter[],
  order: KeysetOrder,
  after: KeysetPosition | null,
  limit: number,
): Promise<T[]> {
  const idDirection = order.direction
  const beyond = order.direction === 'asc' ? '$gt' : '$lt'
  const queries = filters.flatMap((filter): Array<Promise<T[]>> => {
    if (!after) {
      return [
        db.find<T>(collection, filter, {
          orderBy: [
            [order.field, order.direction],
            ['_id', idDirection],
          ],
          limit,
        }),
      ]
    }

    // The rest of the documents sharing the position's value, then those past it.
    const sameValue = { ...filter, [order.field]: after.value, _id: { [beyond]: after.id } }
    const bound = filter[order.field]
    const pastValue = {
      ...filter,
      [order.field]: { ...(isComparison(bound) ? bound : {}), [beyond]: after.value },
    }

    return [
      db.find<T>(collection, sameValue, { orderBy: [['_id', idDirection]], limit }),
      db.find<T>(collection, pastValue, {
        orderBy: [
          [order.field, order.direction],
          ['_id', idDirection],
        ],
        limit,
      }),
    ]
  })
  const answers = await Promise.all(queries)
  const byId = new Map(answers.flat().map((doc) => [doc._id, doc]))

  return [...byId.values()].sort((a, b) => compareInOrder(a, b, order)).slice(0, limit)
}

function compareInOrder(a: Doc, b: Doc, order: KeysetOrder): number {
  const sign = order.direction === 'asc' ? 1 : -1
  const valueA = a[order.field] as string | number
  const valueB = b[order.field] as string | number
  if (valueA !== valueB) return valueA < valueB ? -sign : sign

  return a._id < b._id ? -sign : sign
}

function isComparison(value: unknown): value is Comparison {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false

  return Object.keys(value).every((key) => key.startsWith('$'))
}
