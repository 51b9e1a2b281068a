/**
 * Turns "what is programmed" and "what should be" into one `nft -f` script
 * (one kernel transaction). Two shapes:
 *
 * - rewrite: delete and recreate the whole table (first sync, after a
 *   failure, or when the table vanished);
 * - diff: only the Service ports listed as touched are compared; their
 *   chains are flushed and refilled when their rules differ, chains and sets
 *   that disappeared are deleted, map elements are added and deleted one by
 *   one. The order inside the script is what the kernel needs: new chains and
 *   sets exist before anything refers to them, and nothing is deleted while a
 *   rule or element still refers to it.
 */
import type { ServicePortKey } from '../types.js';
import {
  NFT_FAMILY,
  NFT_TABLE,
  type NftBaseRules,
  type NftChain,
  type NftElement,
  type NftRuleset,
  type NftServiceRules,
  elementList,
  renderNftRuleset,
} from './nft-rules.js';

const OBJ = `${NFT_FAMILY} ${NFT_TABLE}`;
/** Elements per `add element` / `delete element` command. */
const ELEMENT_BATCH = 2000;

/** `map|key` → element, for what the kernel has (or should have). */
export type ElementIndex = ReadonlyMap<string, NftElement>;

export const elementId = (e: NftElement): string => `${e.map}|${e.key}`;

export function indexElements(elements: readonly NftElement[]): Map<string, NftElement> {
  return new Map(elements.map((e) => [elementId(e), e]));
}

function elementCommands(verb: 'add' | 'delete', elements: readonly NftElement[]): string[] {
  const byMap = new Map<string, NftElement[]>();
  for (const e of elements) {
    const list = byMap.get(e.map) ?? [];
    list.push(verb === 'delete' ? { map: e.map, key: e.key } : e);
    byMap.set(e.map, list);
  }
  const out: string[] = [];
  for (const [map, list] of [...byMap].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = 0; i < list.length; i += ELEMENT_BATCH) out.push(`${verb} element ${OBJ} ${map} { ${elementList(list.slice(i, i + ELEMENT_BATCH))} }`);
  }
  return out;
}

/** The full rewrite: one transaction that drops any old table and creates everything. */
export function planNftRewrite(rs: NftRuleset, elements: readonly NftElement[]): string {
  // `add` first so that `delete` cannot fail when the table does not exist yet.
  const head = `add table ${OBJ}\ndelete table ${OBJ}\n`;
  const body = renderNftRuleset(rs, []);
  return head + body + elementCommands('add', elements).join('\n') + (elements.length > 0 ? '\n' : '');
}

const sameChain = (a: NftChain | undefined, b: NftChain | undefined): boolean => {
  if (!a || !b) return false;
  if ((a.hook ?? '') !== (b.hook ?? '')) return false;
  if (a.rules.length !== b.rules.length) return false;
  return a.rules.every((r, i) => r === b.rules[i]);
};

interface Part {
  readonly chains: ReadonlyMap<string, NftChain>;
  readonly sets: ReadonlyMap<string, string>;
}

const EMPTY: Part = { chains: new Map(), sets: new Map() };

export interface DiffInput {
  readonly previous: NftRuleset;
  readonly next: NftRuleset;
  /** Service ports to compare (changed, added or removed). */
  readonly touched: Iterable<ServicePortKey>;
  /** Element index that is programmed, and the one wanted (after ownership resolution). */
  readonly previousElements: ElementIndex;
  readonly nextElements: ElementIndex;
  /** Element ids to compare (those of touched ports, before and after, plus base ones when the base changed). */
  readonly touchedElements: Iterable<string>;
}

export interface DiffResult {
  readonly script: string;
  readonly changedChains: number;
  readonly elementChanges: number;
  /** Set when the transaction changes map and set elements only (the script deletes these, then adds those). */
  readonly elementsOnly?: { readonly deletes: readonly NftElement[]; readonly adds: readonly NftElement[] };
}

/** The incremental transaction; empty script when nothing differs. */
export function planNftDiff(d: DiffInput): DiffResult {
  const parts: [Part, Part][] = [];
  parts.push([baseAsPart(d.previous.base), baseAsPart(d.next.base)]);
  for (const key of new Set(d.touched)) {
    const p: NftServiceRules | undefined = d.previous.services.get(key);
    const n: NftServiceRules | undefined = d.next.services.get(key);
    parts.push([p ?? EMPTY, n ?? EMPTY]);
  }
  const addSets: string[] = [];
  const addChains: string[] = [];
  const flushChains: string[] = [];
  const deleteChains: string[] = [];
  const deleteSets: string[] = [];
  const fillChains: string[] = [];
  for (const [prev, next] of parts) {
    const changedSets = new Set<string>();
    for (const [name, decl] of next.sets) {
      const had = prev.sets.get(name);
      if (had === undefined) addSets.push(`add set ${OBJ} ${name} { ${decl} }`);
      else if (had !== decl) {
        changedSets.add(name);
        deleteSets.push(`delete set ${OBJ} ${name}`, `add set ${OBJ} ${name} { ${decl} }`);
      }
    }
    for (const name of prev.sets.keys()) if (!next.sets.has(name)) deleteSets.push(`delete set ${OBJ} ${name}`);
    const refersToChangedSet = (c: NftChain): boolean => changedSets.size > 0 && c.rules.some((r) => [...changedSets].some((s) => r.includes(`@${s} `) || r.endsWith(`@${s}`)));
    for (const [name, c] of next.chains) {
      const had = prev.chains.get(name);
      if (!had) {
        addChains.push(c.hook ? `add chain ${OBJ} ${name} { ${c.hook} }` : `add chain ${OBJ} ${name}`);
        for (const r of c.rules) fillChains.push(`add rule ${OBJ} ${name} ${r}`);
      } else if (!sameChain(had, c) || refersToChangedSet(had)) {
        if ((had.hook ?? '') !== (c.hook ?? '')) throw new Error(`chain ${name} changed type; a rewrite is needed`);
        flushChains.push(`flush chain ${OBJ} ${name}`);
        for (const r of c.rules) fillChains.push(`add rule ${OBJ} ${name} ${r}`);
      }
    }
    for (const [name, c] of prev.chains) {
      if (next.chains.has(name)) continue;
      if (c.rules.length > 0) flushChains.push(`flush chain ${OBJ} ${name}`);
      deleteChains.push(`delete chain ${OBJ} ${name}`);
    }
  }
  // Base maps never change shape; new ones (none today) would be added here.
  const mapAdds: string[] = [];
  for (const [name, decl] of d.next.base.maps) if (d.previous.base.maps.get(name) !== decl) mapAdds.push(`add map ${OBJ} ${name} { ${decl} }`);

  const delElements: NftElement[] = [];
  const addElements: NftElement[] = [];
  for (const id of new Set(d.touchedElements)) {
    const before = d.previousElements.get(id);
    const after = d.nextElements.get(id);
    if (before && after && before.value === after.value) continue;
    if (before) delElements.push(before);
    if (after) addElements.push(after);
  }
  const lines = [
    ...addSets,
    ...mapAdds,
    ...addChains,
    ...elementCommands('delete', delElements),
    ...flushChains,
    ...deleteChains,
    ...deleteSets,
    ...elementCommands('add', addElements),
    ...fillChains,
  ];
  const elementsOnly = addSets.length + mapAdds.length + addChains.length + flushChains.length + deleteChains.length + deleteSets.length + fillChains.length === 0;
  return {
    script: lines.length > 0 ? `${lines.join('\n')}\n` : '',
    changedChains: addChains.length + flushChains.length + deleteChains.length,
    elementChanges: delElements.length + addElements.length,
    ...(elementsOnly && lines.length > 0 ? { elementsOnly: { deletes: delElements, adds: addElements } } : {}),
  };
}

function baseAsPart(b: NftBaseRules): Part {
  return { chains: b.chains, sets: b.sets };
}
