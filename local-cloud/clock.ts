/**
 * The local clock every function and timer reads. Moving it keeps an offset from the real clock,
 * so time goes on flowing from the instant it was set to.
 */
export interface LocalClock {
  now(): Date
  set(isoOrNull: string | null): Date
  isMoved(): boolean
}

export function createClock(readRealTime: () => number = Date.now): LocalClock {
  let offsetMs = 0

  return {
    now: () => new Date(readRealTime() + offsetMs),

    set(isoOrNull) {
      if (isoOrNull === null) {
        offsetMs = 0
        return new Date(readRealTime())
      }

      const target = Date.parse(isoOrNull)
      if (Number.isNaN(target)) throw new RangeError(`not an ISO-8601 time: ${isoOrNull}`)

      offsetMs = target - readRealTime()
      return new Date(target)
    },

    isMoved: () => offsetMs !== 0,
  }
}
