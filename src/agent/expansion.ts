/**
 * Kubernetes `$(VAR)` expansion (upstream third_party/forked/golang/expansion):
 * `$(NAME)` becomes the variable's value when defined and stays as written otherwise;
 * `$$` is an escaped `$` (so `$$(NAME)` yields the literal `$(NAME)`); an unterminated
 * `$(` and any other `$x` pass through unchanged.
 */

/** Looks a name up in each map in order; undefined when no map has it. */
export type VarLookup = (name: string) => string | undefined;

export function lookupIn(...maps: readonly ReadonlyMap<string, string>[]): VarLookup {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

export function expand(input: string, lookup: VarLookup): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - i;
      }
    } else {
      out += `$${next}`;
    }
    i += advance;
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}
