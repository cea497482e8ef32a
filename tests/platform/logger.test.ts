import { createLogger } from '../../cloudfunctions/platform/logger'

/** What the logger wrote to the console for one call. */
function captureLine(write: (log: ReturnType<typeof createLogger>) => void): string {
  const previous = process.env.TONGKA_LOG
  const lines: string[] = []
  const original = console.log
  process.env.TONGKA_LOG = 'info'
  console.log = (line: string) => lines.push(line)
  try {
    write(createLogger('test'))
  } finally {
    console.log = original
    process.env.TONGKA_LOG = previous
  }

  return lines.join('\n')
}

describe('the function logger', () => {
  it('masks personal keys at every depth, in objects and arrays', () => {
    const line = captureLine((log) =>
      log.info('event received', {
        event: {
          action: 'register',
          phoneCode: 'code-1234567890',
          profile: { phone: '13800138000' },
        },
        members: [{ openid: 'o-abcdefghijkl', unionid: 'u-abcdefghijkl', points: 120 }],
        visitToken: 'eyJtZW1iZXJJZCI6Ik0xIn0.signature',
      }),
    )

    for (const secret of ['code-1234567890', '13800138000', 'o-abcdefghijkl', 'u-abcdefghijkl']) {
      expect(line).not.toContain(secret)
    }
    expect(line).not.toContain('eyJtZW1iZXJJZCI6Ik0xIn0')
    expect(line).toContain('"points":120')
    expect(line).toContain('"action":"register"')
  })

  it('keeps an error as its name and message, nested or not', () => {
    const line = captureLine((log) => log.info('failed', { cause: { error: new Error('boom') } }))

    expect(line).toContain('"error":{"name":"Error","message":"boom"}')
  })
})
