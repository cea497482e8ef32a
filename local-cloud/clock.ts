/**
 * The local clock every function and timer reads. Moving it keeps an offset from the real clock,
 * so time goes on flowing from the instant it was set to; a frozen clock stays at that instant,
 * for tests that stand on a boundary (one second before midnight must stay before midnight).
 */
export interface LocalClock {
  now(): Date
  set(isoOrNull: string | null, options?: { isFrozen?: boolean }): Date
  isMoved(): boolean
}

export function createClock(readRealTime: () => number = Date.now): LocalClock {
  let offsetMs = 0
  let frozenAt: number | null = null

  return {
    now: () => new Date(frozenAt ?? readRealTime() + offsetMs),

    set(isoOrNull, options = {}) {
      if (isoOrNull === null) {
        offsetMs = 0
        frozenAt = null
        return new Date(readRealTime())
      }

      const target = Date.parse(isoOrNull)
      if (Number.isNaN(target)) throw new RangeError(`not an ISO-8601 time: ${isoOrNull}`)

      offsetMs = target - readRealTime()
      frozenAt = options.isFrozen ? target : null
      return new Date(target)
    },

    isMoved: () => offsetMs !== 0 || frozenAt !== null,
  }
}
