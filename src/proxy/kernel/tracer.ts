/**
 * A packet tracer over generated rules, as upstream's iptables proxier tests
 * do: it follows one packet (source, destination, protocol, port, from the
 * node itself or from outside) through the netfilter hooks of a rule model
 * and reports what would happen: DNAT to which endpoints, REJECT, DROP or
 * ACCEPT, and whether the packet is masqueraded.
 *
 * Random choices (numgen, jhash, `statistic --mode random`) are explored in
 * every branch, so the result lists every endpoint the packet may reach.
 * Affinity memories (`@affinity-*` sets, `recent --rcheck`) start empty, as
 * for a client's first packet. The model comes from a mode's own parser of
 * the text it generates (nftables/nft-fake.ts, iptables/iptables-fake.ts).
 */

export type AddrField = 'saddr' | 'daddr';
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
export const HOOKS: readonly Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];

export type TraceMatch =
  | { readonly kind: 'addr'; readonly field: AddrField; readonly cidrs: readonly string[]; readonly negate: boolean }
  | { readonly kind: 'addrSet'; readonly field: AddrField; readonly set: string; readonly negate: boolean }
  | { readonly kind: 'proto'; readonly proto: string }
  | { readonly kind: 'dport'; readonly port: number }
  /** `fib daddr type local` / `-m addrtype --dst-type LOCAL`. */
  | { readonly kind: 'local'; readonly field: AddrField; readonly negate: boolean }
  /** (mark & mask) == value, or != with negate. */
  | { readonly kind: 'mark'; readonly mask: number; readonly value: number; readonly negate: boolean }
  /** Connection states; a traced packet is always the first of its connection (NEW). */
  | { readonly kind: 'ctstate'; readonly states: readonly string[]; readonly negate: boolean }
  /** `ip saddr . ip daddr @set`: the pair `src . dst` is an element. */
  | { readonly kind: 'addrPairSet'; readonly set: string; readonly negate: boolean }
  /** `ct status dnat`: the connection's destination was rewritten (in postrouting: by this ruleset's DNAT). */
  | { readonly kind: 'ctDnat'; readonly negate: boolean }
  /** `statistic --mode random`: both outcomes are followed. */
  | { readonly kind: 'random' }
  /** `recent --rcheck`: no client is remembered in a trace. */
  | { readonly kind: 'never' };

export type KeyPart = 'daddr' | 'proto' | 'dport';

export type TraceAction =
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  | { readonly kind: 'return' | 'accept' | 'drop' | 'reject' | 'masquerade' | 'none' }
  | { readonly kind: 'dnat'; readonly to: string }
  | { readonly kind: 'mark'; readonly op: 'or' | 'xor'; readonly value: number }
  /** Verdict map lookup: key parts joined with ` . `; no element = go on with the next rule. */
  | { readonly kind: 'vmap'; readonly key: readonly KeyPart[]; readonly map: string }
  /** numgen / jhash verdict maps: every option is a branch. */
  | { readonly kind: 'choose'; readonly options: readonly TraceAction[] }
  /**
   * `dnat to numgen ... map @m`: each key is a branch; the map's entry for it
   * is the action (a `dnat`). A key without an entry: the rule does not match.
   */
  | { readonly kind: 'mapLookup'; readonly map: string; readonly keys: readonly string[] };

export interface TraceRule {
  readonly text: string;
  readonly matches: readonly TraceMatch[];
  readonly action: TraceAction;
}

export interface TraceModel {
  readonly chains: ReadonlyMap<string, readonly TraceRule[]>;
  readonly maps: ReadonlyMap<string, ReadonlyMap<string, TraceAction>>;
  /** Static set contents (addresses or CIDRs). Affinity sets are empty. */
  readonly sets: ReadonlyMap<string, readonly string[]>;
  /** Base chains per hook, in the order netfilter runs them. */
  readonly hooks: Readonly<Record<Hook, readonly string[]>>;
}

export interface TracePacket {
  readonly source: string;
  readonly destination: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
  /** Sent by a process on the node (output hook) rather than arriving from outside (prerouting). */
  readonly fromNode?: boolean;
}

export interface TraceOptions {
  /** The node's own addresses (`type local`); 127.0.0.0/8 is always local. */
  readonly nodeAddresses: readonly string[];
}

export interface TraceOutcome {
  readonly verdict: 'ACCEPT' | 'DROP' | 'REJECT';
  /** The DNAT destination `ip:port`, when rewritten. */
  readonly destination?: string;
  readonly masquerade: boolean;
}

export interface TraceResult {
  /** One per branch, de-duplicated and sorted. */
  readonly outcomes: readonly TraceOutcome[];
  /**
   * Compact form for table tests: `DNAT 10.244.0.2:80,10.244.0.3:80`,
   * `... masq`, `REJECT`, `DROP`, `ACCEPT`; branches that differ are joined with ` | `.
   */
  readonly summary: string;
}

// ---- IPv4 helpers ----

export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** `ip` is inside `cidr` (a bare address is a /32). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', bitsRaw] = cidr.split('/');
  const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
  const a = ipv4ToInt(base);
  const b = ipv4ToInt(ip);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  if (bits === 0) return true;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

// ---- evaluation ----

interface Flow {
  readonly src: string;
  readonly dst: string;
  readonly proto: string;
  readonly dport: number;
  readonly mark: number;
  readonly dnat?: string;
  readonly masq: boolean;
}

type End = 'fall' | 'accept' | 'drop' | 'reject';
interface Step {
  readonly flow: Flow;
  readonly end: End;
}

const MAX_DEPTH = 64;

class Tracer {
  constructor(
    private readonly model: TraceModel,
    private readonly local: (ip: string) => boolean,
  ) {}

  runChain(name: string, flow: Flow, depth: number): Step[] {
    if (depth > MAX_DEPTH) throw new Error(`trace: chain nesting deeper than ${MAX_DEPTH} at ${name}`);
    const rules = this.model.chains.get(name);
    if (!rules) throw new Error(`trace: no chain ${name}`);
    return this.runRules(rules, 0, flow, depth);
  }

  private runRules(rules: readonly TraceRule[], from: number, flow: Flow, depth: number): Step[] {
    for (let i = from; i < rules.length; i++) {
      const rule = rules[i];
      if (!rule) continue;
      const m = this.matches(rule.matches, flow);
      if (m === 'no') continue;
      const taken = this.act(rule.action, flow, depth);
      const out: Step[] = [];
      for (const s of taken) {
        if (s.end === 'fall') out.push(...this.runRules(rules, i + 1, s.flow, depth));
        else if (s.end === 'stop') out.push({ flow: s.flow, end: 'fall' });
        else out.push({ flow: s.flow, end: s.end });
      }
      // A random match may also not match: the chain goes on as if the rule were absent.
      if (m === 'maybe') out.push(...this.runRules(rules, i + 1, flow, depth));
      return out;
    }
    return [{ flow, end: 'fall' }];
  }

  /** 'fall' = go on with the next rule; 'stop' = leave this chain (return/goto end). */
  private act(a: TraceAction, flow: Flow, depth: number): { flow: Flow; end: End | 'stop' }[] {
    switch (a.kind) {
      case 'none':
        return [{ flow, end: 'fall' }];
      case 'accept':
      case 'drop':
      case 'reject':
        return [{ flow, end: a.kind }];
      case 'return':
        return [{ flow, end: 'stop' }];
      case 'mark':
        return [{ flow: { ...flow, mark: a.op === 'or' ? (flow.mark | a.value) >>> 0 : (flow.mark ^ a.value) >>> 0 }, end: 'fall' }];
      case 'masquerade':
        return [{ flow: { ...flow, masq: true }, end: 'accept' }];
      case 'dnat': {
        const colon = a.to.lastIndexOf(':');
        const ip = colon > 0 ? a.to.slice(0, colon) : a.to;
        const port = colon > 0 ? Number(a.to.slice(colon + 1)) : flow.dport;
        return [{ flow: { ...flow, dst: ip, dport: port, dnat: a.to }, end: 'accept' }];
      }
      case 'jump':
        return this.runChain(a.chain, flow, depth + 1).map((s) => ({ flow: s.flow, end: s.end }));
      case 'goto':
        return this.runChain(a.chain, flow, depth + 1).map((s) => ({ flow: s.flow, end: s.end === 'fall' ? 'stop' : s.end }));
      case 'vmap': {
        const map = this.model.maps.get(a.map);
        if (!map) throw new Error(`trace: no map ${a.map}`);
        const key = a.key.map((k) => (k === 'daddr' ? flow.dst : k === 'proto' ? flow.proto : String(flow.dport))).join(' . ');
        const hit = map.get(key);
        return hit ? this.act(hit, flow, depth) : [{ flow, end: 'fall' }];
      }
      case 'choose':
        return a.options.flatMap((o) => this.act(o, flow, depth));
      case 'mapLookup': {
        const map = this.model.maps.get(a.map);
        if (!map) throw new Error(`trace: no map ${a.map}`);
        const out: { flow: Flow; end: End | 'stop' }[] = [];
        for (const k of a.keys) {
          const hit = map.get(k);
          out.push(...(hit ? this.act(hit, flow, depth) : [{ flow, end: 'fall' as const }]));
        }
        return out;
      }
    }
  }

  private matches(ms: readonly TraceMatch[], flow: Flow): 'yes' | 'no' | 'maybe' {
    let maybe = false;
    for (const m of ms) {
      switch (m.kind) {
        case 'addr': {
          const hit = m.cidrs.some((c) => cidrContains(c, m.field === 'saddr' ? flow.src : flow.dst));
          if (hit === m.negate) return 'no';
          break;
        }
        case 'addrSet': {
          const elems = this.model.sets.get(m.set);
          if (!elems) throw new Error(`trace: no set ${m.set}`);
          const hit = elems.some((c) => cidrContains(c, m.field === 'saddr' ? flow.src : flow.dst));
          if (hit === m.negate) return 'no';
          break;
        }
        case 'addrPairSet': {
          const elems = this.model.sets.get(m.set);
          if (!elems) throw new Error(`trace: no set ${m.set}`);
          if (elems.includes(`${flow.src} . ${flow.dst}`) === m.negate) return 'no';
          break;
        }
        case 'ctDnat':
          if ((flow.dnat !== undefined) === m.negate) return 'no';
          break;
        case 'proto':
          if (m.proto !== flow.proto) return 'no';
          break;
        case 'dport':
          if (m.port !== flow.dport) return 'no';
          break;
        case 'local':
          if (this.local(m.field === 'saddr' ? flow.src : flow.dst) === m.negate) return 'no';
          break;
        case 'mark':
          if (((flow.mark & m.mask) >>> 0 === m.value) === m.negate) return 'no';
          break;
        case 'ctstate':
          if (m.states.includes('NEW') === m.negate) return 'no';
          break;
        case 'never':
          return 'no';
        case 'random':
          maybe = true;
          break;
      }
    }
    return maybe ? 'maybe' : 'yes';
  }

  /** Runs the base chains of one hook in order; accept passes to the next base chain. */
  hook(h: Hook, flows: Flow[]): { alive: Flow[]; dead: TraceOutcome[] } {
    let alive = flows;
    const dead: TraceOutcome[] = [];
    for (const chain of this.model.hooks[h]) {
      const next: Flow[] = [];
      for (const f of alive) {
        for (const s of this.runChain(chain, f, 0)) {
          if (s.end === 'drop' || s.end === 'reject') dead.push(outcome(s.flow, s.end === 'drop' ? 'DROP' : 'REJECT'));
          else next.push(s.flow);
        }
      }
      alive = next;
    }
    return { alive, dead };
  }
}

function outcome(f: Flow, verdict: TraceOutcome['verdict']): TraceOutcome {
  return { verdict, ...(f.dnat !== undefined && verdict === 'ACCEPT' ? { destination: f.dnat } : {}), masquerade: verdict === 'ACCEPT' && f.masq };
}

/** Follows `packet` through `model` (see the file comment). Throws on a malformed model (missing chain/map/set). */
export function tracePacket(model: TraceModel, packet: TracePacket, opts: TraceOptions): TraceResult {
  const nodeAddrs = new Set(opts.nodeAddresses);
  const local = (ip: string): boolean => nodeAddrs.has(ip) || cidrContains('127.0.0.0/8', ip);
  const t = new Tracer(model, local);
  const start: Flow = { src: packet.source, dst: packet.destination, proto: packet.protocol.toLowerCase(), dport: packet.port, mark: 0, masq: false };
  const dead: TraceOutcome[] = [];
  const finals: Flow[] = [];
  const pass = (h: Hook, flows: Flow[]): Flow[] => {
    const r = t.hook(h, flows);
    dead.push(...r.dead);
    return r.alive;
  };
  if (packet.fromNode) {
    const afterOutput = pass('output', [start]);
    const afterPost = pass('postrouting', afterOutput);
    for (const f of afterPost) {
      if (local(f.dst)) finals.push(...pass('input', [f]));
      else finals.push(f);
    }
  } else {
    for (const f of pass('prerouting', [start])) {
      if (local(f.dst)) finals.push(...pass('input', [f]));
      else finals.push(...pass('postrouting', pass('forward', [f])));
    }
  }
  const all = [...dead, ...finals.map((f) => outcome(f, 'ACCEPT'))];
  const uniq = new Map<string, TraceOutcome>();
  for (const o of all) uniq.set(`${o.verdict}|${o.destination ?? ''}|${o.masquerade}`, o);
  const outcomes = [...uniq.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  return { outcomes, summary: summarize(outcomes) };
}

function summarize(outcomes: readonly TraceOutcome[]): string {
  const groups = new Map<string, string[]>();
  for (const o of outcomes) {
    const head = o.destination !== undefined ? 'DNAT' : o.verdict;
    const key = `${head}${o.masquerade ? ' masq' : ''}`;
    const list = groups.get(key) ?? [];
    if (o.destination !== undefined) list.push(o.destination);
    groups.set(key, list);
  }
  return [...groups.entries()]
    .map(([key, dests]) => {
      if (dests.length === 0) return key;
      const [head, ...rest] = key.split(' ');
      return [head, sortEndpoints(dests).join(','), ...rest].join(' ');
    })
    .sort()
    .join(' | ');
}

function sortEndpoints(list: string[]): string[] {
  const num = (s: string): number => {
    const colon = s.lastIndexOf(':');
    return (ipv4ToInt(s.slice(0, colon)) ?? 0) * 65536 + Number(s.slice(colon + 1));
  };
  return [...new Set(list)].sort((a, b) => num(a) - num(b));
}
