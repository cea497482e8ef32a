import { useEffect, useState } from 'react'
import { chainSchema, type ChainRegion as ChainRegionData } from '../../../typings'
import { callFunction } from '../services/cloud'

export interface ChainRegion {
  regionId: string
  name: string
  storeIds: string[]
}

export interface ChainStore {
  storeId: string
  name: string
  regionName: string
}

export interface ChainPlaces {
  regions: ChainRegion[]
  storeIds: ReadonlySet<string>
  /** Every store of the scope, in the chain's order, for choosing one by its name. */
  stores: ChainStore[]
}

const noPlaces: ChainPlaces = { regions: [], storeIds: new Set(), stores: [] }

/** The regions and stores of `hq.chain`, as the console's choices. */
export function toChainPlaces(regions: ChainRegionData[]): ChainPlaces {
  return {
    regions: regions.map((region) => ({
      regionId: region.regionId,
      name: region.name,
      storeIds: region.stores.map((store) => store.storeId),
    })),
    storeIds: new Set(regions.flatMap((region) => region.stores.map((store) => store.storeId))),
    stores: regions.flatMap((region) =>
      region.stores.map((store) => ({
        storeId: store.storeId,
        name: store.name,
        regionName: region.name,
      })),
    ),
  }
}

/** A region by its name, or its id when the chain does not hold it (or has not arrived yet). */
export function nameRegion(places: ChainPlaces, regionId: string): string {
  return places.regions.find((region) => region.regionId === regionId)?.name ?? regionId
}

/** A store by its name, or its id when the chain does not hold it (or has not arrived yet). */
export function nameStore(places: ChainPlaces, storeId: string): string {
  return places.stores.find((store) => store.storeId === storeId)?.name ?? storeId
}

/** Loads the places once with the page; before they arrive (or if refused) there are none. */
export function useChainPlaces(): ChainPlaces {
  const [places, setPlaces] = useState<ChainPlaces>(noPlaces)

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
