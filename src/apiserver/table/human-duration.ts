/**
 * Ages as kubectl shows them, after apimachinery's `duration.HumanDuration`:
 * about two or three significant figures, coarser as the duration grows.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Human-readable form of a duration in milliseconds: `45s`, `119s`, `2m`,
 * `5m30s`, `10m`, `179m`, `3h`, `3h5m`, `8h`, `47h`, `2d`, `2d5h`, `8d`,
 * `729d`, `2y`, `2y10d`, `8y`. Negative durations up to a second (clock skew)
 * read `0s`; anything more negative is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  // Go truncates toward zero when converting to whole units.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/**
 * Parse a Kubernetes timestamp (RFC 3339, optionally with fractional
 * seconds). Missing, unparseable and Go's zero time (year 1) give undefined,
 * which printers show as `<unknown>`.
 */
export function parseTimestamp(ts: string | undefined | null): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return undefined;
  // metav1.Time.IsZero(): 0001-01-01T00:00:00Z is the Go zero value.
  if (new Date(t).getUTCFullYear() <= 1) return undefined;
  return t;
}

/**
 * Age of `ts` at `now` (`5m`), or `<unknown>` when the timestamp is missing,
 * unparseable or the zero time — upstream's `translateTimestampSince`.
 */
export function translateTimestampSince(ts: string | undefined | null, now: Date): string {
  const t = parseTimestamp(ts);
  if (t === undefined) return '<unknown>';
  return humanDuration(now.getTime() - t);
}
