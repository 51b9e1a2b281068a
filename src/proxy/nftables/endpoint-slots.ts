/**
 * Where each Service port's endpoints live in the shared DNAT maps.
 *
 * A Service chain picks its endpoint with one rule,
 * `dnat to numgen random mod N offset O map @endpoint-slots-tcp-P`: the
 * endpoints are elements `O+i : ip . port` of a named map. Replacing an
 * endpoint then changes map elements only, which the kernel commits without
 * revalidating the table's jump graph (a changed rule containing `dnat` or a
 * `goto` makes it walk every chain: ~50 ms at 10,000 Services).
 *
 * Why named, shared and paged maps:
 * - anonymous maps (`map { 0 : ... }` inline) make a large transaction
 *   quadratic in the kernel (every anonymous set is named and bound by a scan
 *   of the others: 10,000 Services took 100 s);
 * - the kernel checks each new map element against every rule bound to the
 *   map, and each new binding against every element: one map for 10,000
 *   rules and 100,000 elements cost 30 s at the first sync. Pages of
 *   OWNERS_PER_MAP owners keep that product small;
 * - one map per protocol: nft 1.0.6 cannot reload a `typeof ... th dport`
 *   map from the kernel into a rule that also says `meta l4proto tcp`.
 *
 * An owner is one endpoint-picking chain (a Service port's cluster or local
 * chain). It gets an index, kept as long as it exists; offset = index within
 * its page × SLOTS_PER_OWNER. Freed indices are reused smallest first.
 * Maps are never removed (a full rewrite starts over with a new allocator).
 */
export const SLOT_MAP_PREFIX = 'endpoint-slots-';
/** Offsets are spaced this far apart: the most endpoints one chain can pick from. */
export const SLOTS_PER_OWNER = 65536;
/** Owners sharing one map (bounds the kernel's elements × bindings check). */
export const OWNERS_PER_MAP = 256;

export interface SlotRange {
  readonly map: string;
  readonly offset: number;
}

interface Owned {
  readonly proto: string;
  readonly index: number;
}

/** The map name for page `page` of protocol `proto` (lower case). */
export const slotMapName = (proto: string, page: number): string => `${SLOT_MAP_PREFIX}${proto}-${page}`;

/** The declaration of a slot map (key: the numgen/jhash value; data: address . port). */
export const slotMapDecl = (proto: string): string => `typeof numgen random mod 1 : ip daddr . ${proto} dport ; comment "endpoint address and port by numgen/jhash slot" ;`;

export class EndpointSlots {
  private readonly owners = new Map<string, Owned>();
  /** proto → freed indices, ascending. */
  private readonly free = new Map<string, number[]>();
  /** proto → next never-used index. */
  private readonly next = new Map<string, number>();

  /** The range of `owner` (allocated on first use). `proto` is lower case (tcp, udp, sctp). */
  acquire(owner: string, proto: string): SlotRange {
    let o = this.owners.get(owner);
    if (o && o.proto !== proto) {
      this.release(owner);
      o = undefined;
    }
    if (!o) {
      const freed = this.free.get(proto);
      let index = freed?.shift();
      if (index === undefined) {
        index = this.next.get(proto) ?? 0;
        this.next.set(proto, index + 1);
      }
      o = { proto, index };
      this.owners.set(owner, o);
    }
    return rangeOf(o);
  }

  /** Frees `owner`'s range (no-op when it has none). */
  release(owner: string): void {
    const o = this.owners.get(owner);
    if (!o) return;
    this.owners.delete(owner);
    let freed = this.free.get(o.proto);
    if (!freed) this.free.set(o.proto, (freed = []));
    // Sorted insert: reuse keeps pages dense.
    let lo = 0;
    let hi = freed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((freed[mid] ?? 0) < o.index) lo = mid + 1;
      else hi = mid;
    }
    freed.splice(lo, 0, o.index);
  }

  /** Every map an owner has used so far: name → declaration. */
  maps(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [proto, next] of [...this.next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (let page = 0; page * OWNERS_PER_MAP < next; page++) out.set(slotMapName(proto, page), slotMapDecl(proto));
    }
    return out;
  }

  /** An independent copy (tests rebuild a table with the same allocation). */
  clone(): EndpointSlots {
    const c = new EndpointSlots();
    for (const [k, v] of this.owners) c.owners.set(k, v);
    for (const [k, v] of this.free) c.free.set(k, [...v]);
    for (const [k, v] of this.next) c.next.set(k, v);
    return c;
  }
}

function rangeOf(o: Owned): SlotRange {
  return { map: slotMapName(o.proto, Math.floor(o.index / OWNERS_PER_MAP)), offset: (o.index % OWNERS_PER_MAP) * SLOTS_PER_OWNER };
}
