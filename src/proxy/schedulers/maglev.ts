/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016; IPVS "mh"): every
 * server walks its own permutation of a prime-sized lookup table and claims
 * free slots in turn (weight = turns per round), so each gets an almost equal
 * share and removing one server moves mostly only its own clients.
 */
import { type RealServer, type ScheduleRequest, type Scheduler, eligible, listSignature, weightGcd } from './scheduler.js';

/** Table size: a prime well above the number of servers (IPVS mh's default is 4093). */
export const MAGLEV_TABLE_SIZE = 4093;

/** 32-bit FNV-1a with a seed mixed into the offset basis. */
export function fnv1a(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche so nearby keys spread over the table.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/** Builds the lookup table: entry i holds the index of a server in `servers`. */
export function buildMaglevTable(servers: readonly RealServer[], size = MAGLEV_TABLE_SIZE): Int32Array {
  const table = new Int32Array(size).fill(-1);
  const n = servers.length;
  if (n === 0) return table;
  const offset = servers.map((s) => fnv1a(s.key, 0x5bd1e995) % size);
  const skip = servers.map((s) => (fnv1a(s.key, 0x27d4eb2f) % (size - 1)) + 1);
  const next = new Array<number>(n).fill(0);
  const gcd = weightGcd(servers);
  const turns = servers.map((s) => Math.max(0, Math.round(s.weight / gcd)));
  if (turns.every((t) => t === 0)) return table;
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < n && filled < size; i++) {
      for (let t = 0; t < (turns[i] ?? 0) && filled < size; t++) {
        let c = ((offset[i] ?? 0) + (next[i] ?? 0) * (skip[i] ?? 1)) % size;
        while (table[c] !== -1) {
          next[i] = (next[i] ?? 0) + 1;
          c = ((offset[i] ?? 0) + (next[i] ?? 0) * (skip[i] ?? 1)) % size;
        }
        table[c] = i;
        next[i] = (next[i] ?? 0) + 1;
        filled++;
      }
    }
  }
  return table;
}

/** Maglev keyed on the client address (and port when `hashPort`, like IPVS mh-port). */
export class MaglevScheduler implements Scheduler {
  readonly name = 'maglev' as const;
  private signature = '';
  private table: Int32Array = new Int32Array(0);
  private readonly size: number;
  private readonly hashPort: boolean;

  constructor(opts: { readonly tableSize?: number; readonly hashPort?: boolean } = {}) {
    this.size = opts.tableSize ?? MAGLEV_TABLE_SIZE;
    this.hashPort = opts.hashPort ?? false;
  }

  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    const sig = listSignature(servers);
    if (sig !== this.signature) {
      this.signature = sig;
      this.table = buildMaglevTable(servers, this.size);
    }
    if (servers.length === 0) return undefined;
    const start = fnv1a(this.hashPort ? `${req.clientIP}:${req.clientPort}` : req.clientIP, 0x9747b28c) % this.size;
    // On retry, walk on to the next slots that name another usable server.
    for (let i = 0; i < this.size; i++) {
      const idx = this.table[(start + i) % this.size] ?? -1;
      const s = idx >= 0 ? servers[idx] : undefined;
      if (s && eligible(s, req)) return s;
    }
    return undefined;
  }
}
