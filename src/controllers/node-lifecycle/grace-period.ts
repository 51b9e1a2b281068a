/**
 * The node monitor grace period, with an environment override for tests and small setups:
 * `SWITCHYARD_NODE_MONITOR_GRACE_PERIOD` takes a Go duration (`3s`, `500ms`, `1m30s`), the
 * format of kube-controller-manager's --node-monitor-grace-period.
 */

export const GRACE_PERIOD_ENV = 'SWITCHYARD_NODE_MONITOR_GRACE_PERIOD';

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration string into milliseconds; undefined when it is not one (or negative). */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return undefined;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    const [, num, unit] = m;
    total += Number(num) * (UNIT_MS[unit ?? ''] ?? NaN);
    pos = re.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** The grace period to use: the environment's override when it is a positive duration, else `configured`. */
export function effectiveGracePeriodMs(configured: number, env: Readonly<Record<string, string | undefined>>): number {
  const raw = env[GRACE_PERIOD_ENV];
  if (raw === undefined || raw === '') return configured;
  const ms = parseGoDuration(raw);
  return ms !== undefined && ms > 0 ? ms : configured;
}
