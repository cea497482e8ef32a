import path from 'node:path'
import { findLatestTick, readTimerTriggers, toCronExpression } from '../../local-cloud/scheduler'

const FUNCTIONS_DIR = path.join(__dirname, 'fixtures', 'functions')

describe('timer configs', () => {
  it('drops the year field that CloudBase writes and cron-parser does not take', () => {
    expect(toCronExpression('0 0 2 * * * *')).toBe('0 0 2 * * *')
  })

  it('refuses a config without seconds', () => {
    expect(() => toCronExpression('0 2 * * *')).toThrow(RangeError)
  })

  it('reads the timer triggers of every function folder', () => {
    expect(readTimerTriggers(FUNCTIONS_DIR)).toEqual([
      { functionName: 'daily', triggerName: 'daily', config: '0 0 2 * * * *' },
    ])
  })

  it('places ticks on Asia/Shanghai days, whatever the host time zone', () => {
    const tick = findLatestTick('0 0 2 * * * *', new Date('2030-06-01T01:59:59+08:00'))

    expect(tick.toISOString()).toBe('2030-05-30T18:00:00.000Z')
  })

  it('counts a tick that falls exactly on the instant as due', () => {
    const tick = findLatestTick('0 0 2 * * * *', new Date('2030-06-01T02:00:00+08:00'))

    expect(tick.toISOString()).toBe('2030-05-31T18:00:00.000Z')
  })
})
