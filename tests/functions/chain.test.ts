import { upsertRegion, upsertStaff, upsertStore } from '../../cloudfunctions/domain/chain'
import { demoStores, startTestCloud, type TestCloud } from '../support/test-cloud'

let env: TestCloud

beforeAll(async () => {
  env = await startTestCloud()
  await upsertRegion(env.db, { _id: 'west', name: '西南' })
  await upsertStore(env.db, {
    ...demoStores[0],
    _id: 'sW',
    name: '鲜邻超市·武侯区店',
    city: '成都市',
    cityCode: '5101',
    district: '武侯区',
    districtCode: '510107',
    regionId: 'west',
    isActive: false,
  })
  await upsertStaff(env.db, {
    _id: 'o-hq-analyst',
    openid: 'o-hq-analyst',
    name: '分析',
    role: 'hq_analyst',
    storeId: null,
    regionId: null,
    isActive: true,
  })
})

afterAll(async () => {
  await env.close()
})

describe('the chain for the console', () => {
  it('names every region with its stores, closed ones marked, for HQ', async () => {
    const answer = await env.call('hq', { action: 'chain' }, 'o-hq-analyst')

    expect(answer.ok).toBe(true)
    expect(
      answer.data.regions.map((region: any) => [
        region.regionId,
        region.name,
        region.stores.map((store: any) => `${store.storeId}:${store.isOpen}`),
      ]),
    ).toEqual([
      ['east', '华东', ['sA:true', 'sB:true']],
      ['west', '西南', ['sW:false']],
    ])
    expect(answer.data.regions[1].stores[0]).toEqual({
      storeId: 'sW',
      name: '鲜邻超市·武侯区店',
      city: '成都市',
      district: '武侯区',
      isOpen: false,
    })
  })

  it('shows a region manager their own region only', async () => {
    const answer = await env.call('hq', { action: 'chain' }, 'o-region-east')

    expect(answer.data.regions.map((region: any) => region.regionId)).toEqual(['east'])
  })

  it('refuses a clerk and an unknown field', async () => {
    const clerk = await env.call('hq', { action: 'chain' }, 'o-clerk-sA')
    const extra = await env.call('hq', { action: 'chain', regionId: 'east' }, 'o-hq-analyst')

    expect(clerk.error.code).toBe('NOT_ALLOWED')
    expect(extra.error.code).toBe('INVALID_INPUT')
  })
})
