import { useEffect, useState } from 'react'
import { chainSchema, type ChainRegion as ChainRegionData } from '../../../typings'
import { callFunction } from '../services/cloud'

export interface ChainRegion {
  regionId: string
  name: string
  storeIds: string[]
}

export interface ChainPlaces {
  regions: ChainRegion[]
  storeIds: ReadonlySet<string>
}

/** The regions and stores of `hq.chain`, as the console's choices. */
export function toChainPlaces(regions: ChainRegionData[]): ChainPlaces {
  return {
    regions: regions.map((region) => ({
      regionId: region.regionId,
      name: region.name,
      storeIds: region.stores.map((store) => store.storeId),
    })),
    storeIds: new Set(regions.flatMap((region) => region.stores.map((store) => store.storeId))),
  }
}

/** Loads the places once with the page; before they arrive (or if refused) there are none. */
export function useChainPlaces(): ChainPlaces {
  const [places, setPlaces] = useState<ChainPlaces>({ regions: [], storeIds: new Set() })

  useEffect(() => {
    void callFunction('hq', { action: 'chain' }, chainSchema).then((result) => {
      if (result.ok) setPlaces(toChainPlaces(result.data.regions))
    })
  }, [])

  return places
}

/** Store ids as people type them: separated by spaces, commas or new lines. */
export function splitStoreIds(text: string): string[] {
  return [...new Set(text.split(/[\s,，、]+/).filter(Boolean))]
}
