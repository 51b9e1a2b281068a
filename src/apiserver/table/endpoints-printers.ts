/**
 * Endpoints (`NAME ENDPOINTS AGE`) and EndpointSlice (`NAME ADDRESSTYPE
 * PORTS ENDPOINTS AGE`) rows. Address lists show at most three entries and
 * then `+ N more...`, as upstream does.
 */
import type { KubeObject } from '../../api/object.js';
import { AGE_COLUMN, ageOf, column, nameColumn, nameOf, printer } from './columns.js';
import { list, optInt, optStr, str, strList } from './json-access.js';
import type { TablePrinter } from './table.js';

/** Entries shown before `+ N more...`. */
const MAX_SHOWN = 3;

export const ENDPOINTS_PRINTER: TablePrinter = printer(
  [nameColumn(), column('Endpoints', 'string', 'Ready addresses with their ports (ip:port).'), AGE_COLUMN],
  (ep, now) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
);

export const ENDPOINT_SLICE_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('AddressType', 'string', 'Kind of addresses in the slice: IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Port numbers exposed by the endpoints of the slice.'),
    column('Endpoints', 'string', 'Addresses of the endpoints in the slice.'),
    AGE_COLUMN,
  ],
  (slice, now) => [
    nameOf(slice),
    str(slice, 'addressType'),
    formatSlicePorts(slice),
    formatSliceEndpoints(slice),
    ageOf(slice, now),
  ],
);

/** Go's net.JoinHostPort: IPv6 literals are bracketed. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function withMore(shown: string[], total: number): string {
  const text = shown.join(',');
  return total > MAX_SHOWN ? `${text} + ${total - MAX_SHOWN} more...` : text;
}

/**
 * `ip:port` for every (ready address, port) pair of every subset; bare IPs
 * for subsets without ports (headless). `<none>` when there are no subsets.
 */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = list(ep, 'subsets');
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let total = 0;
  for (const ss of subsets) {
    const ips = list(ss, 'addresses').map((a) => str(a, 'ip'));
    const ports = list(ss, 'ports');
    if (ports.length === 0) {
      total += ips.length;
      for (const ip of ips) if (shown.length < MAX_SHOWN) shown.push(ip);
      continue;
    }
    for (const p of ports) {
      total += ips.length;
      const port = optInt(p, 'port') ?? 0;
      for (const ip of ips) if (shown.length < MAX_SHOWN) shown.push(joinHostPort(ip, port));
    }
  }
  return withMore(shown, total);
}

/** Like withMore, but an empty list reads `<unset>` (upstream listWithMoreString). */
function withMoreOrUnset(items: string[]): string {
  if (items.length === 0) return '<unset>';
  return withMore(items.slice(0, MAX_SHOWN), items.length);
}

/** Port numbers; a port without a number shows its name, or `*` without either. */
export function formatSlicePorts(slice: KubeObject): string {
  return withMoreOrUnset(
    list(slice, 'ports').map((p) => {
      const port = optInt(p, 'port');
      if (port !== undefined) return String(port);
      return optStr(p, 'name') ?? '*';
    }),
  );
}

/** Every address of every endpoint (readiness is not considered, as upstream). */
export function formatSliceEndpoints(slice: KubeObject): string {
  return withMoreOrUnset(list(slice, 'endpoints').flatMap((e) => strList(e, 'addresses')));
}
