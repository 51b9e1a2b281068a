/**
 * Which Service port's map element is programmed when several claim the same
 * key (two Services with the same external IP and port, say): the smallest
 * Service port key wins, as resolveElementOwners does for a whole ruleset.
 * Kept incrementally, so a partial sync costs what it touches, not the
 * number of Services.
 */
import type { ServicePortKey } from '../types.js';
import type { NftElement } from './nft-rules.js';

/** `map|key`: identity of an element within the table. */
export const elementId = (e: Pick<NftElement, 'map' | 'key'>): string => `${e.map}|${e.key}`;

export interface ElementWinner {
  readonly owner: ServicePortKey;
  readonly element: NftElement;
  /** The other claimants whose element differs (theirs is not programmed); identical claims are shared, not lost. */
  readonly losers: readonly ServicePortKey[];
}

export class ElementClaims {
  private readonly claims = new Map<string, Map<ServicePortKey, NftElement>>();
  private readonly byService = new Map<ServicePortKey, string[]>();

  /** Replaces what `key` claims (empty: nothing); returns the element ids whose claims may have changed. */
  set(key: ServicePortKey, elements: readonly NftElement[]): string[] {
    const old = this.byService.get(key) ?? [];
    const touched = new Set<string>(old);
    const ids: string[] = [];
    const fresh = new Set<string>();
    for (const e of elements) {
      const id = elementId(e);
      // A Service port naming one key twice keeps its first element.
      if (fresh.has(id)) continue;
      fresh.add(id);
      let c = this.claims.get(id);
      if (!c) this.claims.set(id, (c = new Map()));
      c.set(key, e);
      ids.push(id);
      touched.add(id);
    }
    // Claims kept are overwritten in place (a full resync re-claims everything: no churn).
    for (const id of old) {
      if (fresh.has(id)) continue;
      const c = this.claims.get(id);
      c?.delete(key);
      if (c && c.size === 0) this.claims.delete(id);
    }
    if (ids.length > 0) this.byService.set(key, ids);
    else this.byService.delete(key);
    return [...touched];
  }

  /** The programmed element for `id`, if anyone claims it. */
  winner(id: string): ElementWinner | undefined {
    const c = this.claims.get(id);
    if (!c) return undefined;
    let owner: ServicePortKey | undefined;
    for (const k of c.keys()) if (owner === undefined || k < owner) owner = k;
    const element = owner !== undefined ? c.get(owner) : undefined;
    if (owner === undefined || !element) return undefined;
    const losers: ServicePortKey[] = [];
    for (const [k, e] of c) if (k !== owner && e.value !== element.value) losers.push(k);
    return { owner, element, losers: losers.sort() };
  }

  /** Every claimed element id. */
  ids(): IterableIterator<string> {
    return this.claims.keys();
  }
}
