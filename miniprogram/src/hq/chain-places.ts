import { useEffect, useState } from 'react'
import { z } from 'zod'
import { teamMemberSchema, type TeamMember } from '../../../typings'
import { callFunction } from '../services/cloud'

export interface ChainRegion {
  regionId: string
  storeIds: string[]
}

export interface ChainPlaces {
  regions: ChainRegion[]
  storeIds: ReadonlySet<string>
}

/**
 * The regions and stores the console offers to choose from. No function lists the chain's stores
 * to HQ; the staff roll (`staff.team`) names each staff member's store and region, so every
 * store that has staff is here, and a store without staff records no purchase and redeems no
 * coupon. The roll is capped by the function, so a very large chain may show fewer stores.
 */
export function placesFromTeam(team: TeamMember[]): ChainPlaces {
  const storesByRegion = new Map<string, Set<string>>()
  const storeIds = new Set<string>()

  for (const staff of team) {
    if (!staff.regionId) continue
    const stores = storesByRegion.get(staff.regionId) ?? new Set<string>()
    if (staff.storeId) {
      stores.add(staff.storeId)
      storeIds.add(staff.storeId)
    }
    storesByRegion.set(staff.regionId, stores)
  }

  const regions = [...storesByRegion]
    .map(([regionId, stores]) => ({ regionId, storeIds: [...stores].sort() }))
    .sort((a, b) => a.regionId.localeCompare(b.regionId))

  return { regions, storeIds }
}

/** Loads the places once with the page; before they arrive (or if refused) there are none. */
export function useChainPlaces(): ChainPlaces {
  const [places, setPlaces] = useState<ChainPlaces>({ regions: [], storeIds: new Set() })

  useEffect(() => {
    void callFunction('staff', { action: 'team' }, z.array(teamMemberSchema)).then((result) => {
      if (result.ok) setPlaces(placesFromTeam(result.data))
    })
  }, [])

  return places
}

/** Store ids as people type them: separated by spaces, commas or new lines. */
export function splitStoreIds(text: string): string[] {
  return [...new Set(text.split(/[\s,，、]+/).filter(Boolean))]
}
