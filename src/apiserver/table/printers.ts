/**
 * Which Table printer serves which kind, after upstream's
 * pkg/printers/internalversion AddHandlers. Server-side tables always carry
 * every column (upstream generates them with `Wide: true`); kubectl hides the
 * priority-1 ones unless `-o wide`.
 */
import { ENDPOINT_SLICE_PRINTER, ENDPOINTS_PRINTER } from './endpoints-printers.js';
import { CORE_EVENT_PRINTER, EVENTS_V1_EVENT_PRINTER } from './event-printers.js';
import { INGRESS_CLASS_PRINTER, INGRESS_PRINTER } from './networking-printers.js';
import { NODE_PRINTER } from './node-printer.js';
import { POD_PRINTER } from './pod-printer.js';
import { SERVICE_PRINTER } from './service-printer.js';
import {
  CONFIG_MAP_PRINTER,
  DEFAULT_PRINTER,
  LEASE_PRINTER,
  NAMESPACE_PRINTER,
  SECRET_PRINTER,
  SERVICE_ACCOUNT_PRINTER,
} from './simple-printers.js';
import type { TablePrinter } from './table.js';
import { DEPLOYMENT_PRINTER, REPLICA_SET_PRINTER, STATEFUL_SET_PRINTER } from './workload-printers.js';

/** Keyed by `<group>/<Kind>` (`/Pod` for core). */
const PRINTERS: ReadonlyMap<string, TablePrinter> = new Map([
  ['/Pod', POD_PRINTER],
  ['/Service', SERVICE_PRINTER],
  ['/Endpoints', ENDPOINTS_PRINTER],
  ['/Namespace', NAMESPACE_PRINTER],
  ['/Node', NODE_PRINTER],
  ['/Secret', SECRET_PRINTER],
  ['/ConfigMap', CONFIG_MAP_PRINTER],
  ['/Event', CORE_EVENT_PRINTER],
  ['/ServiceAccount', SERVICE_ACCOUNT_PRINTER],
  ['apps/Deployment', DEPLOYMENT_PRINTER],
  ['apps/ReplicaSet', REPLICA_SET_PRINTER],
  ['apps/StatefulSet', STATEFUL_SET_PRINTER],
  ['discovery.k8s.io/EndpointSlice', ENDPOINT_SLICE_PRINTER],
  ['networking.k8s.io/Ingress', INGRESS_PRINTER],
  ['networking.k8s.io/IngressClass', INGRESS_CLASS_PRINTER],
  ['coordination.k8s.io/Lease', LEASE_PRINTER],
  ['events.k8s.io/Event', EVENTS_V1_EVENT_PRINTER],
]);

/**
 * The printer for objects of `kind` in API `group` ('' for core). Kinds
 * without a dedicated printer get upstream's default table: `NAME CREATED AT`.
 */
export function printerFor(group: string, kind: string): TablePrinter {
  return PRINTERS.get(`${group}/${kind}`) ?? DEFAULT_PRINTER;
}

/** Whether `printerFor` has a dedicated printer for the kind (not the default). */
export function hasPrinter(group: string, kind: string): boolean {
  return PRINTERS.has(`${group}/${kind}`);
}
