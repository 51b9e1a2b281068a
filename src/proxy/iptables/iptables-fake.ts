/**
 * A fake iptables for tests: it runs `iptables-restore --noflush` input the
 * way the real tool does (each `*table ... COMMIT` block atomically, chains
 * declared with `:NAME` created or flushed, `-A`/`-I`/`-D`/`-F`/`-X`), with
 * the objections that matter for ordering (a rule to a missing chain, a jump
 * to an undeclared chain, deleting a chain that is missing, built in, not
 * empty or still referenced). It answers `iptables-save` and renders its
 * state in the canonical form of renderIptablesDump, and converts into the
 * packet tracer's model.
 */
import type { CommandResult } from '../kernel/command-runner.js';
import type { Hook, TraceAction, TraceMatch, TraceModel, TraceRule } from '../kernel/tracer.js';
import { BUILTIN_CHAINS, IPT_TABLES, type IptTable, TOP_LEVEL_CHAINS } from './iptables-rules.js';

/** Targets that are not chains. */
const BUILTIN_TARGETS = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK']);

interface Chain {
  readonly builtin: boolean;
  rules: string[];
}
type Table = Map<string, Chain>;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function emptyTable(t: IptTable): Table {
  return new Map(BUILTIN_CHAINS[t].map((c) => [c, { builtin: true, rules: [] }]));
}

function cloneTable(t: Table): Table {
  return new Map([...t].map(([k, c]) => [k, { builtin: c.builtin, rules: [...c.rules] }]));
}

/** Splits a rule into words, keeping `"quoted strings"` (with `\"` escapes) as one word. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return out;
}

/** The `-j TARGET` of a rule, if any. */
function targetOf(rule: string): string | undefined {
  const w = splitWords(rule);
  const i = w.indexOf('-j');
  return i >= 0 ? w[i + 1] : undefined;
}

export class FakeIptables {
  private tables: Record<IptTable, Table> = { filter: emptyTable('filter'), nat: emptyTable('nat') };
  /** Every restore input that was applied completely, in order. */
  readonly applied: string[] = [];

  /** Runs iptables-restore input. Throws (after committing the blocks before the failing one) like the real tool. */
  restore(input: string, opts: { noflush: boolean } = { noflush: true }): void {
    const lines = input.split('\n');
    let table: IptTable | undefined;
    let work: Table | undefined;
    for (const [n, raw] of lines.entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      try {
        if (line.startsWith('*')) {
          const name = line.slice(1);
          if (!(IPT_TABLES as readonly string[]).includes(name)) throw new Error(`can't initialize iptables table '${name}'`);
          table = name as IptTable;
          work = opts.noflush ? cloneTable(this.tables[table]) : emptyTable(table);
          continue;
        }
        if (!table || !work) throw new Error('no table specified');
        if (line === 'COMMIT') {
          this.tables[table] = work;
          table = undefined;
          work = undefined;
          continue;
        }
        this.exec(work, line);
      } catch (e) {
        throw new Error(`iptables-restore: line ${n + 1} failed: ${(e as Error).message}\n${line}`);
      }
    }
    if (table) throw new Error(`iptables-restore: COMMIT expected at line ${lines.length}`);
    this.applied.push(input);
  }

  private exec(t: Table, line: string): void {
    if (line.startsWith(':')) {
      const [name = ''] = line.slice(1).split(/\s+/);
      const c = t.get(name);
      if (c) c.rules = [];
      else t.set(name, { builtin: false, rules: [] });
      return;
    }
    const m = /^(-[AIDFX]) (\S+)(?: (.*))?$/.exec(line);
    if (!m) throw new Error('unknown command');
    const [, op, name = '', rest = ''] = m;
    const c = t.get(name);
    if (!c) throw new Error(`chain ${name} does not exist`);
    const checkTarget = (rule: string): void => {
      const target = targetOf(rule);
      if (target !== undefined && !BUILTIN_TARGETS.has(target) && !t.has(target)) throw new Error(`Couldn't load target \`${target}'`);
    };
    switch (op) {
      case '-A':
        checkTarget(rest);
        c.rules.push(rest);
        return;
      case '-I': {
        const im = /^(\d+) (.*)$/.exec(rest);
        const pos = im ? Number(im[1]) : 1;
        const rule = im ? (im[2] ?? '') : rest;
        checkTarget(rule);
        if (pos < 1 || pos > c.rules.length + 1) throw new Error('Index of insertion too big');
        c.rules.splice(pos - 1, 0, rule);
        return;
      }
      case '-D': {
        const i = c.rules.indexOf(rest);
        if (i < 0) throw new Error('Bad rule (does a matching rule exist in that chain?)');
        c.rules.splice(i, 1);
        return;
      }
      case '-F':
        c.rules = [];
        return;
      case '-X': {
        if (c.builtin) throw new Error(`Can't delete built-in chain ${name}`);
        if (c.rules.length > 0) throw new Error(`Directory not empty (chain ${name})`);
        for (const [other, oc] of t) if (oc.rules.some((r) => targetOf(r) === name)) throw new Error(`Too many links (chain ${name} referenced from ${other})`);
        t.delete(name);
        return;
      }
    }
  }

  /** Like `iptables-save [-t table]`. */
  save(table?: IptTable): string {
    const out: string[] = ['# Generated by fake iptables-save'];
    for (const t of table ? [table] : IPT_TABLES) {
      const tab = this.tables[t];
      out.push(`*${t}`);
      for (const [name, c] of tab) out.push(`:${name} ${c.builtin ? 'ACCEPT' : '-'} [0:0]`);
      for (const [name, c] of tab) for (const r of c.rules) out.push(`-A ${name} ${r}`);
      out.push('COMMIT');
    }
    return `${out.join('\n')}\n`;
  }

  /** Answers iptables(-legacy|-nft)-restore and -save like the real tools (for a FakeCommandRunner handler). */
  handle(argv: readonly string[], input: string): Partial<CommandResult> | undefined {
    const prog = (argv[0] ?? '').split('/').pop() ?? '';
    if (/^iptables(-legacy|-nft)?-restore$/.test(prog)) {
      try {
        this.restore(input, { noflush: argv.includes('--noflush') || argv.includes('-n') });
        return { code: 0 };
      } catch (e) {
        return { code: 1, stderr: (e as Error).message };
      }
    }
    if (/^iptables(-legacy|-nft)?-save$/.test(prog)) {
      const ti = argv.indexOf('-t');
      const t = ti >= 0 ? argv[ti + 1] : undefined;
      if (t !== undefined && !(IPT_TABLES as readonly string[]).includes(t)) return { code: 1, stderr: `iptables-save: table '${t}' does not exist` };
      return { code: 0, stdout: this.save(t as IptTable | undefined) };
    }
    return undefined;
  }

  /** Non-built-in chains of `table`. */
  chains(table: IptTable): string[] {
    return [...this.tables[table]].filter(([, c]) => !c.builtin).map(([n]) => n);
  }

  /** Rules of one chain (tests). */
  rules(table: IptTable, chain: string): readonly string[] {
    return this.tables[table].get(chain)?.rules ?? [];
  }

  /**
   * The canonical dump (same order as renderIptablesDump): per table the
   * top-level chains, the other chains sorted, the rules of built-in chains,
   * then every rule chain by chain.
   */
  dump(): string {
    const out: string[] = [];
    for (const t of IPT_TABLES) {
      const tab = this.tables[t];
      out.push(`*${t}`);
      const top = TOP_LEVEL_CHAINS[t].filter((c) => tab.has(c));
      const rest = this.chains(t)
        .filter((c) => !TOP_LEVEL_CHAINS[t].includes(c))
        .sort(cmp);
      for (const c of [...top, ...rest]) out.push(`:${c} - [0:0]`);
      for (const b of BUILTIN_CHAINS[t]) for (const r of tab.get(b)?.rules ?? []) out.push(`-A ${b} ${r}`);
      for (const c of [...top, ...rest]) for (const r of tab.get(c)?.rules ?? []) out.push(`-A ${c} ${r}`);
      out.push('COMMIT');
    }
    return `${out.join('\n')}\n`;
  }

  /** The packet tracer's model; chains are named `table:CHAIN`. */
  traceModel(): TraceModel {
    const chains = new Map<string, TraceRule[]>();
    for (const t of IPT_TABLES) for (const [name, c] of this.tables[t]) chains.set(`${t}:${name}`, c.rules.map((r) => parseIptablesRule(r, t)));
    const hooks: Record<Hook, string[]> = {
      prerouting: ['nat:PREROUTING'],
      // filter runs at priority 0, nat INPUT at 100, nat OUTPUT at -100.
      input: ['filter:INPUT', 'nat:INPUT'],
      forward: ['filter:FORWARD'],
      output: ['nat:OUTPUT', 'filter:OUTPUT'],
      postrouting: ['nat:POSTROUTING'],
    };
    return { chains, maps: new Map(), sets: new Map(), hooks };
  }
}

/** Builds a fake from restore input (a golden dump) and returns its trace model. */
export function iptablesTraceModel(restoreInput: string): TraceModel {
  const f = new FakeIptables();
  f.restore(restoreInput);
  return f.traceModel();
}

/** Parses one rule of the subset this mode writes into the tracer's form; throws on anything else. */
export function parseIptablesRule(text: string, table: IptTable): TraceRule {
  const w = splitWords(text);
  const matches: TraceMatch[] = [];
  let action: TraceAction = { kind: 'none' };
  let i = 0;
  let negate = false;
  const next = (): string => {
    const t = w[i++];
    if (t === undefined) throw new Error(`unexpected end of rule: ${text}`);
    return t;
  };
  const takeNegate = (): boolean => {
    const n = negate;
    negate = false;
    return n;
  };
  while (i < w.length) {
    const t = next();
    switch (t) {
      case '!':
        negate = true;
        break;
      case '-m':
        next(); // the module's options follow as their own words
        break;
      case '--comment':
      case '--name':
      case '--seconds':
      case '--mode':
      case '--cluster-hash-seed':
      case '--cluster-local-node':
        next();
        break;
      case '--reap':
      case '--set':
      case '--random-fully':
        break;
      case '--rcheck':
        // No client is remembered in a trace.
        matches.push({ kind: 'never' });
        break;
      case '--probability':
      case '--cluster-total-nodes':
        next();
        matches.push({ kind: 'random' });
        break;
      case '-p':
        matches.push({ kind: 'proto', proto: next() });
        break;
      case '--dport':
        matches.push({ kind: 'dport', port: Number(next()) });
        break;
      case '-s':
      case '-d':
        matches.push({ kind: 'addr', field: t === '-s' ? 'saddr' : 'daddr', cidrs: [next()], negate: takeNegate() });
        break;
      case '--dst-type':
      case '--src-type': {
        const n = takeNegate();
        if (next() !== 'LOCAL') throw new Error(`unsupported addrtype in: ${text}`);
        matches.push({ kind: 'local', field: t === '--src-type' ? 'saddr' : 'daddr', negate: n });
        break;
      }
      case '--mark': {
        const [value = '', mask = '0xffffffff'] = next().split('/');
        matches.push({ kind: 'mark', mask: Number(mask), value: Number(value), negate: takeNegate() });
        break;
      }
      case '--ctstate':
        matches.push({ kind: 'ctstate', states: next().split(','), negate: takeNegate() });
        break;
      case '-j': {
        const target = next();
        switch (target) {
          case 'ACCEPT':
            action = { kind: 'accept' };
            break;
          case 'DROP':
            action = { kind: 'drop' };
            break;
          case 'REJECT':
            action = { kind: 'reject' };
            break;
          case 'RETURN':
            action = { kind: 'return' };
            break;
          case 'MASQUERADE':
            action = { kind: 'masquerade' };
            break;
          case 'DNAT': {
            if (next() !== '--to-destination') throw new Error(`expected --to-destination in: ${text}`);
            action = { kind: 'dnat', to: next() };
            break;
          }
          case 'MARK': {
            const op = next();
            if (op !== '--or-mark' && op !== '--xor-mark') throw new Error(`unsupported MARK ${op} in: ${text}`);
            action = { kind: 'mark', op: op === '--or-mark' ? 'or' : 'xor', value: Number(next()) };
            break;
          }
          default:
            action = { kind: 'jump', chain: `${table}:${target}` };
        }
        break;
      }
      default:
        throw new Error(`unsupported word ${JSON.stringify(t)} in: ${text}`);
    }
  }
  return { text, matches, action };
}
