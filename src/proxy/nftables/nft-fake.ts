/**
 * A fake `nft` for tests: it interprets the subset of `nft -f` scripts this
 * mode writes (add/flush/delete of table, chains, rules, maps, sets and
 * elements) as one atomic transaction, with the kernel's objections that
 * matter for ordering (deleting a missing, non-empty or still referenced
 * object, adding an element whose key exists with another value, referring
 * to a missing chain). Its state renders in the same canonical form as
 * renderNftRuleset and converts into the packet tracer's model.
 */
import type { CommandResult } from '../kernel/command-runner.js';
import { HOOKS, type Hook, type KeyPart, type TraceAction, type TraceMatch, type TraceModel, type TraceRule } from '../kernel/tracer.js';
import { NFT_FAMILY, NFT_TABLE, TABLE_COMMENT } from './nft-rules.js';

interface Chain {
  hook?: string;
  rules: string[];
}
interface Table {
  chains: Map<string, Chain>;
  maps: Map<string, { decl: string; elements: Map<string, string> }>;
  sets: Map<string, { decl: string; elements: Set<string> }>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const PREFIX = `${NFT_FAMILY} ${NFT_TABLE} `;

function cloneTable(t: Table): Table {
  return {
    chains: new Map([...t.chains].map(([k, c]) => [k, { ...(c.hook ? { hook: c.hook } : {}), rules: [...c.rules] }])),
    maps: new Map([...t.maps].map(([k, m]) => [k, { decl: m.decl, elements: new Map(m.elements) }])),
    sets: new Map([...t.sets].map(([k, s]) => [k, { decl: s.decl, elements: new Set(s.elements) }])),
  };
}

/** Splits `a : b, c : d` (inside braces) into entries. */
function splitElements(body: string): string[] {
  return body
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Chains and maps/sets a rule or verdict refers to. */
function references(text: string): { chains: string[]; named: string[] } {
  const chains = [...text.matchAll(/\b(?:jump|goto) ([^\s,{}]+)/g)].map((m) => m[1] ?? '');
  const named = [...text.matchAll(/@([^\s,{}]+)/g)].map((m) => m[1] ?? '');
  return { chains, named };
}

export class FakeNft {
  private table: Table | undefined;
  /** Every script applied successfully, in order. */
  readonly applied: string[] = [];

  /** Applies one script atomically; throws with nft-like messages on error. */
  apply(script: string): void {
    let t = this.table ? cloneTable(this.table) : undefined;
    const lines = script.split('\n').map((l) => l.trim());
    for (const [n, line] of lines.entries()) {
      if (line === '' || line.startsWith('#')) continue;
      try {
        t = this.exec(t, line);
      } catch (e) {
        throw new Error(`line ${n + 1}: ${(e as Error).message}\n${line}`);
      }
    }
    if (t) this.validate(t);
    this.table = t;
    this.applied.push(script);
  }

  /** Whether the table exists. */
  get exists(): boolean {
    return this.table !== undefined;
  }

  /** Answers `nft -f -` and `nft -t list table ...` like the real tool (for a FakeCommandRunner handler). */
  handle(argv: readonly string[], input: string): Partial<CommandResult> | undefined {
    if (argv[0] !== 'nft') return undefined;
    if (argv.includes('-f')) {
      try {
        this.apply(input);
        return { code: 0 };
      } catch (e) {
        return { code: 1, stderr: `Error: ${(e as Error).message}` };
      }
    }
    if (argv.includes('list') && argv.includes('tables')) {
      return { code: 0, stdout: this.table ? `table ${NFT_FAMILY} ${NFT_TABLE}\n` : '' };
    }
    if (argv.includes('list')) {
      if (!this.table) return { code: 1, stderr: 'Error: No such file or directory' };
      return { code: 0, stdout: this.listTerse() };
    }
    if (argv[1] === 'create' && argv[2] === 'chain') {
      if (!this.table) return { code: 1, stderr: 'Error: Could not process rule: No such file or directory' };
      const name = argv[5] ?? '';
      if (this.table.chains.has(name)) return { code: 1, stderr: 'Error: Could not process rule: File exists' };
      this.table.chains.set(name, { rules: [] });
      return { code: 0 };
    }
    if (argv.includes('delete') && argv.includes('table')) {
      if (!this.table) return { code: 1, stderr: 'Error: No such file or directory' };
      this.table = undefined;
      return { code: 0 };
    }
    return { code: 1, stderr: `fake nft: unsupported ${argv.join(' ')}` };
  }

  private exec(t: Table | undefined, line: string): Table | undefined {
    const m = /^(add|flush|delete) (table|chain|rule|map|set|element) (.*)$/.exec(line);
    if (!m) throw new Error('syntax error');
    const [, verb, what, rest = ''] = m;
    if (what === 'table') {
      if (!rest.startsWith(`${NFT_FAMILY} ${NFT_TABLE}`)) throw new Error('unexpected table');
      if (verb === 'add') return t ?? { chains: new Map(), maps: new Map(), sets: new Map() };
      if (verb === 'delete') {
        if (!t) throw new Error('No such file or directory');
        return undefined;
      }
      throw new Error('unsupported table command');
    }
    if (!t) throw new Error('No such file or directory (table)');
    if (!rest.startsWith(PREFIX)) throw new Error('unexpected table');
    const body = rest.slice(PREFIX.length);
    const sp = body.indexOf(' ');
    const name = sp < 0 ? body : body.slice(0, sp);
    const tail = sp < 0 ? '' : body.slice(sp + 1).trim();
    const braced = (): string => {
      if (!tail.startsWith('{') || !tail.endsWith('}')) throw new Error('expected { ... }');
      return tail.slice(1, -1).trim();
    };
    switch (`${verb} ${what}`) {
      case 'add chain': {
        const hook = tail ? braced() : undefined;
        const c = t.chains.get(name);
        if (c) {
          if ((c.hook ?? '') !== (hook ?? '')) throw new Error('File exists (chain type differs)');
        } else t.chains.set(name, { ...(hook ? { hook } : {}), rules: [] });
        return t;
      }
      case 'flush chain': {
        const c = t.chains.get(name);
        if (!c) throw new Error(`No such file or directory (chain ${name})`);
        c.rules = [];
        return t;
      }
      case 'delete chain': {
        const c = t.chains.get(name);
        if (!c) throw new Error(`No such file or directory (chain ${name})`);
        if (c.rules.length > 0) throw new Error(`Device or resource busy (chain ${name} not empty)`);
        if (this.referencedChains(t).has(name)) throw new Error(`Device or resource busy (chain ${name} referenced)`);
        t.chains.delete(name);
        return t;
      }
      case 'add rule': {
        const c = t.chains.get(name);
        if (!c) throw new Error(`No such file or directory (chain ${name})`);
        parseNftRule(tail);
        for (const s of references(tail).named) if (!t.sets.has(s) && !t.maps.has(s)) throw new Error(`No such file or directory (set ${s})`);
        c.rules.push(tail);
        return t;
      }
      case 'add map': {
        const decl = braced();
        const mp = t.maps.get(name);
        if (mp && mp.decl !== decl) throw new Error('File exists (map declaration differs)');
        if (!mp) t.maps.set(name, { decl, elements: new Map() });
        return t;
      }
      case 'add set': {
        const decl = braced();
        const st = t.sets.get(name);
        if (st && st.decl !== decl) throw new Error('File exists (set declaration differs)');
        if (!st) t.sets.set(name, { decl, elements: new Set() });
        return t;
      }
      case 'flush map':
      case 'flush set': {
        const o = what === 'map' ? t.maps.get(name) : t.sets.get(name);
        if (!o) throw new Error(`No such file or directory (${what} ${name})`);
        o.elements.clear();
        return t;
      }
      case 'delete map':
      case 'delete set': {
        if (!(what === 'map' ? t.maps : t.sets).has(name)) throw new Error(`No such file or directory (${what} ${name})`);
        for (const c of t.chains.values()) for (const r of c.rules) if (references(r).named.includes(name)) throw new Error(`Device or resource busy (${what} ${name} in use)`);
        (what === 'map' ? t.maps : t.sets).delete(name);
        return t;
      }
      case 'add element':
      case 'delete element': {
        const entries = splitElements(braced());
        const mp = t.maps.get(name);
        const st = t.sets.get(name);
        if (!mp && !st) throw new Error(`No such file or directory (map ${name})`);
        for (const e of entries) {
          const colon = e.indexOf(' : ');
          const key = colon < 0 ? e : e.slice(0, colon);
          const value = colon < 0 ? undefined : e.slice(colon + 3);
          if (verb === 'add') {
            if (mp) {
              if (value === undefined) throw new Error('map element without value');
              parseMapValue(mp.decl, value);
              const had = mp.elements.get(key);
              if (had !== undefined && had !== value) throw new Error(`File exists (element ${key} in ${name})`);
              mp.elements.set(key, value);
            } else st?.elements.add(key);
          } else {
            const had = mp ? mp.elements.has(key) : (st?.elements.has(key) ?? false);
            if (!had) throw new Error(`No such file or directory (element ${key} in ${name})`);
            mp?.elements.delete(key);
            st?.elements.delete(key);
          }
        }
        return t;
      }
      default:
        throw new Error(`unsupported command ${verb} ${what}`);
    }
  }

  private referencedChains(t: Table): Set<string> {
    const out = new Set<string>();
    for (const c of t.chains.values()) for (const r of c.rules) for (const x of references(r).chains) out.add(x);
    for (const m of t.maps.values()) for (const v of m.elements.values()) for (const x of references(v).chains) out.add(x);
    return out;
  }

  private validate(t: Table): void {
    for (const name of this.referencedChains(t)) if (!t.chains.has(name)) throw new Error(`Could not process rule: No such file or directory (chain ${name} referenced)`);
  }

  /** The table in canonical form (same order as renderNftRuleset); empty string when there is no table. */
  dump(): string {
    const t = this.table;
    if (!t) return '';
    const obj = `${NFT_FAMILY} ${NFT_TABLE}`;
    const lines = [`add table ${obj} { comment "${TABLE_COMMENT}" ; }`];
    const names = [...t.chains.keys()].sort(cmp);
    for (const n of names) {
      const c = t.chains.get(n);
      lines.push(c?.hook ? `add chain ${obj} ${n} { ${c.hook} }` : `add chain ${obj} ${n}`);
    }
    for (const [n, m] of [...t.maps].sort(([a], [b]) => cmp(a, b))) lines.push(`add map ${obj} ${n} { ${m.decl} }`);
    for (const [n, s] of [...t.sets].sort(([a], [b]) => cmp(a, b))) lines.push(`add set ${obj} ${n} { ${s.decl} }`);
    for (const n of names) for (const r of t.chains.get(n)?.rules ?? []) lines.push(`add rule ${obj} ${n} ${r}`);
    const byName = new Map<string, string[]>();
    for (const [n, m] of t.maps) byName.set(n, [...m.elements].map(([k, v]) => `${k} : ${v}`));
    for (const [n, s] of t.sets) if (s.elements.size > 0) byName.set(n, [...s.elements]);
    for (const n of [...byName.keys()].sort(cmp)) {
      const entries = (byName.get(n) ?? []).sort((a, b) => cmp(a.split(' : ')[0] ?? a, b.split(' : ')[0] ?? b));
      for (const e of entries) lines.push(`add element ${obj} ${n} { ${e} }`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Like `nft -t list table`: object headers only. */
  private listTerse(): string {
    const t = this.table;
    if (!t) return '';
    const out = [`table ${NFT_FAMILY} ${NFT_TABLE} {`];
    for (const n of t.maps.keys()) out.push(`\tmap ${n} {`, '\t}');
    for (const n of t.sets.keys()) out.push(`\tset ${n} {`, '\t}');
    for (const n of t.chains.keys()) out.push(`\tchain ${n} {`, '\t}');
    out.push('}');
    return `${out.join('\n')}\n`;
  }

  /** Counts for tests: chains, rules, elements. */
  stats(): { chains: number; rules: number; elements: number; sets: number } {
    const t = this.table;
    if (!t) return { chains: 0, rules: 0, elements: 0, sets: 0 };
    let rules = 0;
    for (const c of t.chains.values()) rules += c.rules.length;
    let elements = 0;
    for (const m of t.maps.values()) elements += m.elements.size;
    return { chains: t.chains.size, rules, elements, sets: t.sets.size };
  }

  /** The packet tracer's model of the current table. */
  traceModel(): TraceModel {
    const t = this.table ?? { chains: new Map(), maps: new Map(), sets: new Map() };
    return nftTraceModel(t);
  }
}

/** Parses a canonical script (renderNftRuleset output) straight into a trace model. */
export function nftScriptTraceModel(script: string): TraceModel {
  const fake = new FakeNft();
  fake.apply(script);
  return fake.traceModel();
}

function nftTraceModel(t: Table): TraceModel {
  const chains = new Map<string, TraceRule[]>();
  const hooks: Record<Hook, { name: string; prio: number }[]> = { prerouting: [], input: [], forward: [], output: [], postrouting: [] };
  for (const [name, c] of t.chains) {
    chains.set(name, c.rules.map(parseNftRule));
    if (c.hook) {
      const m = /hook (\w+) priority (-?\d+)/.exec(c.hook);
      const hook = m?.[1] as Hook | undefined;
      if (hook && HOOKS.includes(hook)) hooks[hook].push({ name, prio: Number(m?.[2]) });
    }
  }
  const maps = new Map<string, Map<string, TraceAction>>();
  for (const [name, m] of t.maps) maps.set(name, new Map([...m.elements].map(([k, v]) => [k, parseMapValue(m.decl, v)])));
  const sets = new Map<string, string[]>([...t.sets].map(([k, s]) => [k, [...s.elements]]));
  const order = (h: Hook): string[] => hooks[h].sort((a, b) => a.prio - b.prio || cmp(a.name, b.name)).map((x) => x.name);
  return { chains, maps, sets, hooks: { prerouting: order('prerouting'), input: order('input'), forward: order('forward'), output: order('output'), postrouting: order('postrouting') } };
}

/** A map element's value: a verdict in `: verdict` maps, else `ip . port` (a DNAT target). */
function parseMapValue(decl: string, v: string): TraceAction {
  if (/: verdict\b/.test(decl)) return parseNftVerdict(v);
  const m = /^(\d+\.\d+\.\d+\.\d+) \. (\d+)$/.exec(v.trim());
  if (!m) throw new Error(`bad map value ${JSON.stringify(v)} for ${decl}`);
  return { kind: 'dnat', to: `${m[1]}:${m[2]}` };
}

/** `goto X`, `jump X`, `drop`, `accept`, `reject`, `return`. */
export function parseNftVerdict(v: string): TraceAction {
  const [verb, target] = v.trim().split(/\s+/);
  if ((verb === 'goto' || verb === 'jump') && target) return { kind: verb, chain: target };
  if (verb === 'drop' || verb === 'accept' || verb === 'reject' || verb === 'return') return { kind: verb };
  throw new Error(`unknown verdict ${JSON.stringify(v)}`);
}

/** Parses one rule of the subset this mode writes into the tracer's form; throws on anything else. */
export function parseNftRule(text: string): TraceRule {
  const toks = text.match(/"[^"]*"|[{},]|[^\s{},]+/g) ?? [];
  const matches: TraceMatch[] = [];
  let action: TraceAction = { kind: 'none' };
  let i = 0;
  const next = (): string => {
    const t = toks[i++];
    if (t === undefined) throw new Error(`unexpected end of rule: ${text}`);
    return t;
  };
  const expect = (want: string): void => {
    const got = next();
    if (got !== want) throw new Error(`expected ${want}, got ${got} in: ${text}`);
  };
  const braceList = (): string[] => {
    expect('{');
    const items: string[] = [];
    let cur: string[] = [];
    for (let t = next(); t !== '}'; t = next()) {
      if (t === ',') {
        items.push(cur.join(' '));
        cur = [];
      } else cur.push(t);
    }
    if (cur.length > 0) items.push(cur.join(' '));
    return items;
  };
  /** `a . b . c vmap @m` after the first key part was consumed. */
  const concatVmap = (first: KeyPart): void => {
    const key: KeyPart[] = [first];
    while (toks[i] === '.') {
      i++;
      const a = next();
      const b = next();
      if (a === 'meta' && b === 'l4proto') key.push('proto');
      else if (a === 'th' && b === 'dport') key.push('dport');
      else if (a === 'ip' && b === 'daddr') key.push('daddr');
      else throw new Error(`unsupported key part ${a} ${b} in: ${text}`);
    }
    expect('vmap');
    const ref = next();
    if (!ref.startsWith('@')) throw new Error(`expected @map in: ${text}`);
    action = { kind: 'vmap', key, map: ref.slice(1) };
  };
  const chooseVmap = (): void => {
    expect('vmap');
    const options = braceList().map((entry) => {
      const colon = entry.indexOf(' : ');
      if (colon < 0) throw new Error(`bad vmap entry ${entry}`);
      return parseNftVerdict(entry.slice(colon + 3));
    });
    action = { kind: 'choose', options };
  };
  while (i < toks.length) {
    const t = next();
    switch (t) {
      case 'ct': {
        if (toks[i] === 'status') {
          i++;
          let neg = false;
          if (toks[i] === '!=') {
            neg = true;
            i++;
          }
          expect('dnat');
          matches.push({ kind: 'ctDnat', negate: neg });
          break;
        }
        expect('state');
        let negate = false;
        if (toks[i] === '!=') {
          negate = true;
          i++;
        }
        matches.push({ kind: 'ctstate', states: next().toUpperCase().split(','), negate });
        break;
      }
      case 'ip': {
        const field = next();
        if (field !== 'saddr' && field !== 'daddr') throw new Error(`unsupported ip ${field} in: ${text}`);
        if (toks[i] === '.' && field === 'saddr') {
          // `ip saddr . ip daddr @set`
          i++;
          expect('ip');
          expect('daddr');
          let neg = false;
          if (toks[i] === '!=') {
            neg = true;
            i++;
          }
          const ref = next();
          if (!ref.startsWith('@')) throw new Error(`expected @set in: ${text}`);
          matches.push({ kind: 'addrPairSet', set: ref.slice(1), negate: neg });
          break;
        }
        if (toks[i] === '.') {
          if (field !== 'daddr') throw new Error(`unsupported concatenation in: ${text}`);
          concatVmap('daddr');
          break;
        }
        let negate = false;
        if (toks[i] === '!=') {
          negate = true;
          i++;
        }
        if (toks[i] === '{') matches.push({ kind: 'addr', field, cidrs: braceList(), negate });
        else {
          const v = next();
          if (v.startsWith('@')) matches.push({ kind: 'addrSet', field, set: v.slice(1), negate });
          else matches.push({ kind: 'addr', field, cidrs: [v], negate });
        }
        break;
      }
      case 'meta': {
        expect('l4proto');
        if (toks[i] === '.') {
          concatVmap('proto');
          break;
        }
        matches.push({ kind: 'proto', proto: next() });
        break;
      }
      case 'tcp':
      case 'udp':
      case 'sctp':
        expect('dport');
        matches.push({ kind: 'proto', proto: t }, { kind: 'dport', port: Number(next()) });
        break;
      case 'fib': {
        const field = next();
        if (field !== 'saddr' && field !== 'daddr') throw new Error(`unsupported fib ${field}`);
        expect('type');
        let negate = false;
        if (toks[i] === '!=') {
          negate = true;
          i++;
        }
        expect('local');
        matches.push({ kind: 'local', field, negate });
        break;
      }
      case 'mark': {
        const op = next();
        if (op === 'and') {
          const mask = Number(next());
          const cmpOp = next();
          const value = Number(next());
          matches.push({ kind: 'mark', mask, value, negate: cmpOp === '!=' });
        } else if (op === 'set') {
          expect('mark');
          const how = next();
          if (how !== 'or' && how !== 'xor') throw new Error(`unsupported mark op ${how}`);
          action = { kind: 'mark', op: how, value: Number(next()) };
        } else throw new Error(`unsupported mark ${op}`);
        break;
      }
      case 'numgen':
      case 'jhash':
        if (t === 'numgen') expect('random');
        else {
          expect('ip');
          expect('saddr');
        }
        expect('mod');
        next();
        if (toks[i] === 'seed') i += 2;
        if (toks[i] === 'vmap') chooseVmap();
        else {
          // `numgen random mod 3 0 goto X`: a bucket comparison; a trace follows both outcomes.
          if (toks[i] === '==') i++;
          if (!/^\d+$/.test(next())) throw new Error(`expected a bucket number in: ${text}`);
          matches.push({ kind: 'random' });
        }
        break;
      case 'update': {
        const ref = next();
        if (!ref.startsWith('@')) throw new Error(`expected @set in: ${text}`);
        braceList();
        action = { kind: 'none' };
        break;
      }
      case 'jump':
      case 'goto':
        action = { kind: t, chain: next() };
        break;
      case 'return':
      case 'accept':
      case 'drop':
      case 'reject':
        action = { kind: t };
        break;
      case 'masquerade':
        if (toks[i] === 'fully-random' || toks[i] === 'random') i++;
        action = { kind: 'masquerade' };
        break;
      case 'dnat': {
        expect('to');
        if (toks[i] !== 'numgen' && toks[i] !== 'jhash') {
          action = { kind: 'dnat', to: next() };
          break;
        }
        // `dnat to numgen random mod N offset O map @m` / `jhash ip saddr mod N seed S offset O map @m`
        if (next() === 'numgen') expect('random');
        else {
          expect('ip');
          expect('saddr');
        }
        expect('mod');
        const n = Number(next());
        if (toks[i] === 'seed') i += 2;
        let offset = 0;
        if (toks[i] === 'offset') {
          i++;
          offset = Number(next());
        }
        expect('map');
        const ref = next();
        if (!ref.startsWith('@') || !(n > 0) || !Number.isInteger(offset)) throw new Error(`bad dnat map in: ${text}`);
        action = { kind: 'mapLookup', map: ref.slice(1), keys: Array.from({ length: n }, (_, k) => String(offset + k)) };
        break;
      }
      case 'counter':
        break;
      case 'comment':
        next();
        break;
      default:
        throw new Error(`unsupported token ${JSON.stringify(t)} in: ${text}`);
    }
  }
  return { text, matches, action };
}
