import { z } from 'zod'
import { appConfig } from '../config'
import { localIdentitySchema, type LocalIdentity } from './identity'

/** The local cloud's development routes; they exist only in the h5 build's local mode. */

async function requestJson(path: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${appConfig.localApiBase}${path}`, init)
  if (!response.ok) throw new Error(`${path} answered ${response.status}`)

  return response.json()
}

export async function fetchLocalIdentities(): Promise<LocalIdentity[]> {
  const body = await requestJson('/dev/identities')

  return z.array(localIdentitySchema).parse(body)
}

export async function requestLocalPhoneCode(phone: string): Promise<string> {
  const body = await requestJson('/dev/phone-code', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone }),
  })

  return z.object({ code: z.string().min(1) }).parse(body).code
}
