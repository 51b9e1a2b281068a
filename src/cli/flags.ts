/**
 * A small flag parser with generated `--help`, k3s/kubectl style:
 * `--name value`, `--name=value`, boolean `--flag` / `--flag=false`.
 */

export interface FlagSpec {
  readonly name: string;
  readonly description: string;
  readonly type: 'string' | 'boolean' | 'number';
  readonly default?: string | boolean | number;
  /** Environment variable that provides a default, as k3s does (e.g. SWITCHYARD_TOKEN). */
  readonly env?: string;
}

export type FlagValues = Record<string, string | boolean | number | undefined>;

export class FlagError extends Error {}

export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[]): { values: FlagValues; positional: string[]; help: boolean } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  for (const s of specs) {
    const fromEnv = s.env ? process.env[s.env] : undefined;
    if (fromEnv !== undefined) values[s.name] = coerce(s, fromEnv);
    else if (s.default !== undefined) values[s.name] = s.default;
  }
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = byName.get(name);
    if (!spec) throw new FlagError(`unknown flag: --${name}`);
    if (spec.type === 'boolean') {
      values[name] = eq >= 0 ? coerce(spec, arg.slice(eq + 1)) : true;
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined) throw new FlagError(`flag needs an argument: --${name}`);
    values[name] = coerce(spec, raw);
  }
  return { values, positional, help };
}

function coerce(spec: FlagSpec, raw: string): string | boolean | number {
  if (spec.type === 'boolean') {
    if (['true', '1', 'yes', ''].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    throw new FlagError(`invalid boolean value ${JSON.stringify(raw)} for --${spec.name}`);
  }
  if (spec.type === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new FlagError(`invalid number ${JSON.stringify(raw)} for --${spec.name}`);
    return n;
  }
  return raw;
}

export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const lines = [summary, '', `Usage:\n  ${usage}`, '', 'Flags:'];
  const width = Math.max(...specs.map((s) => s.name.length + (s.type === 'boolean' ? 0 : s.type.length + 1))) + 4;
  for (const s of specs) {
    const left = `--${s.name}${s.type === 'boolean' ? '' : ` ${s.type}`}`;
    const def = s.default !== undefined && s.default !== '' && s.default !== false ? ` (default ${JSON.stringify(s.default)})` : '';
    const env = s.env ? ` [$${s.env}]` : '';
    lines.push(`  ${left.padEnd(width)}${s.description}${def}${env}`);
  }
  lines.push(`  ${'--help'.padEnd(width)}Show this help`);
  return lines.join('\n');
}

export function str(v: FlagValues, name: string): string {
  const x = v[name];
  return typeof x === 'string' ? x : x === undefined ? '' : String(x);
}
export function bool(v: FlagValues, name: string): boolean {
  return v[name] === true;
}
export function num(v: FlagValues, name: string): number {
  const x = v[name];
  return typeof x === 'number' ? x : Number(x);
}
