/**
 * Printers for kinds with a couple of plain columns: Namespace, Secret,
 * ConfigMap, ServiceAccount, Lease, and the fallback for kinds without a
 * dedicated printer.
 */
import { AGE_COLUMN, ageOf, column, nameColumn, nameOf, printer } from './columns.js';
import { parseTimestamp } from './human-duration.js';
import { list, mapSize, optStr, str } from './json-access.js';
import type { TablePrinter } from './table.js';

export const NAMESPACE_PRINTER: TablePrinter = printer(
  [nameColumn(), column('Status', 'string', 'Lifecycle phase of the namespace: Active or Terminating.'), AGE_COLUMN],
  (ns, now) => [nameOf(ns), str(ns, 'status', 'phase'), ageOf(ns, now)],
);

export const SECRET_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Type', 'string', 'Secret type, e.g. Opaque or kubernetes.io/tls.'),
    column('Data', 'string', 'Number of data entries in the secret.'),
    AGE_COLUMN,
  ],
  (s, now) => [nameOf(s), str(s, 'type'), mapSize(s, 'data'), ageOf(s, now)],
);

export const CONFIG_MAP_PRINTER: TablePrinter = printer(
  [nameColumn(), column('Data', 'string', 'Number of data and binaryData entries.'), AGE_COLUMN],
  (cm, now) => [nameOf(cm), mapSize(cm, 'data') + mapSize(cm, 'binaryData'), ageOf(cm, now)],
);

export const SERVICE_ACCOUNT_PRINTER: TablePrinter = printer(
  [nameColumn(), column('Secrets', 'string', 'Number of secrets listed on the service account.'), AGE_COLUMN],
  (sa, now) => [nameOf(sa), list(sa, 'secrets').length, ageOf(sa, now)],
);

export const LEASE_PRINTER: TablePrinter = printer(
  [nameColumn(), column('Holder', 'string', 'Identity of the current holder of the lease.'), AGE_COLUMN],
  (l, now) => [nameOf(l), optStr(l, 'spec', 'holderIdentity') ?? '', ageOf(l, now)],
);

/**
 * Upstream's default table convertor (rest.NewDefaultTableConvertor): the
 * name and the creation time as an RFC 3339 UTC date, shown as `CREATED AT`.
 * Zero or missing times print as Go's zero time.
 */
export const DEFAULT_PRINTER: TablePrinter = printer(
  [nameColumn(), column('Created At', 'date', 'Time the object was created (metadata.creationTimestamp).')],
  (obj) => {
    const t = parseTimestamp(obj.metadata.creationTimestamp);
    const created = t === undefined ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [nameOf(obj), created];
  },
);

/** Age-only printer (Name, Age), for callers that prefer it to the upstream default. */
export const NAME_AGE_PRINTER: TablePrinter = printer([nameColumn(), AGE_COLUMN], (obj, now) => [
  nameOf(obj),
  ageOf(obj, now),
]);
