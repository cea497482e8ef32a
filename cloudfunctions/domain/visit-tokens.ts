import { timingSafeEqual } from 'node:crypto'
import { hmac } from '@noble/hashes/hmac'
import { sha256 } from '@noble/hashes/sha256'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils'
import type { Database, Doc } from './ports'
import type { RandomBytes } from './members'
import { refuse, succeed, type Result } from './result'

/** How long a clerk may keep serving a member after one scan. */
export const VISIT_TOKEN_TTL_MS = 15 * 60 * 1000

export interface VisitClaims {
  memberId: string
  storeId: string
  clerkOpenid: string
  expiresAtMs: number
}

interface SigningKeyDoc extends Doc {
  keyHex: string
}

/** The brand's signing key, made once; a second maker loses the race and reads the winner's. */
export async function loadSigningKey(db: Database, randomBytes: RandomBytes): Promise<string> {
  const existing = await db.get<SigningKeyDoc>('settings', 'signing')
  if (existing) return existing.keyHex

  await db.insert('settings', { _id: 'signing', keyHex: bytesToHex(randomBytes(32)) })
  const stored = await db.get<SigningKeyDoc>('settings', 'signing')
  if (!stored) throw new Error('signing key vanished after insert')

  return stored.keyHex
}

export function signVisitToken(keyHex: string, claims: VisitClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url')

  return `${body}.${signBody(keyHex, body)}`
}

export function verifyVisitToken(keyHex: string, token: string, now: Date): Result<VisitClaims> {
  const [body, signature] = token.split('.')
  const isGenuine = Boolean(body && signature) && isSameText(signBody(keyHex, body), signature)
  if (!isGenuine) return refuse('INVALID_INPUT', '服务凭证无效，请重新扫码')

  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as VisitClaims
  if (claims.expiresAtMs <= now.getTime()) return refuse('VISIT_EXPIRED')

  return succeed(claims)
}

/** Compares in time that does not depend on where the texts differ, so a forger learns nothing. */
function isSameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)

  return a.length === b.length && timingSafeEqual(a, b)
}

function signBody(keyHex: string, body: string): string {
  return Buffer.from(hmac(sha256, hexToBytes(keyHex), utf8ToBytes(body))).toString('base64url')
}

/**
 * The counter's first step for every write: the visit token is genuine, still valid, and was
 * issued to this clerk at this store.
 */
export async function verifyOwnVisit(
  db: Database,
  staff: { openid: string; storeId: string | null },
  visitToken: string,
  now: Date,
  randomBytes: RandomBytes,
): Promise<Result<VisitClaims>> {
  const keyHex = await loadSigningKey(db, randomBytes)
  const verified = verifyVisitToken(keyHex, visitToken, now)
  if (!verified.ok) return verified

  const claims = verified.data
  const isOwnVisit = claims.clerkOpenid === staff.openid && claims.storeId === staff.storeId
  if (!isOwnVisit) return refuse('NOT_ALLOWED', '这次服务属于另一位店员或另一家门店')

  return succeed(claims)
}
