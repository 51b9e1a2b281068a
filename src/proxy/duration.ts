/** Go-style durations for proxy flags: `250ms`, `1s`, `1m30s`, `2h`. */

/** Milliseconds, or undefined when `raw` is not a duration. */
export function parseGoDuration(raw: string): number | undefined {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of raw.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * (unit[m[2] ?? ''] ?? NaN);
    consumed += m[0].length;
  }
  return raw !== '' && consumed === raw.length && Number.isFinite(total) ? total : undefined;
}
