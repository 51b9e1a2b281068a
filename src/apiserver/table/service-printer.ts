/**
 * Service rows: `NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE [SELECTOR]`.
 */
import type { KubeObject } from '../../api/object.js';
import { AGE_COLUMN, ageOf, column, nameColumn, nameOf, printer, wideColumn } from './columns.js';
import { at, int, list, str, strList, strMap } from './json-access.js';
import { formatLabels } from './label-format.js';
import type { TablePrinter } from './table.js';

export const SERVICE_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The virtual IP allocated to the service, or None for a headless service.'),
    column('External-IP', 'string', 'Load-balancer ingress points and external IPs through which the service is reached.'),
    column('Port(s)', 'string', 'Service ports as port[:nodePort]/protocol.'),
    AGE_COLUMN,
    wideColumn('Selector', 'Labels of the pods that back the service.'),
  ],
  serviceCells,
);

function serviceCells(svc: KubeObject, now: Date): unknown[] {
  // Stored services are defaulted; an untyped one would be ClusterIP.
  const type = str(svc, 'spec', 'type') || 'ClusterIP';
  const clusterIP = strList(svc, 'spec', 'clusterIPs')[0] || str(svc, 'spec', 'clusterIP') || '<none>';
  return [
    nameOf(svc),
    type,
    clusterIP,
    externalIP(svc, type),
    portsString(svc) || '<none>',
    ageOf(svc, now),
    formatLabels(strMap(svc, 'spec', 'selector')),
  ];
}

/**
 * Distinct load-balancer ingress IPs (or hostnames when no IP), sorted —
 * upstream collects them in a string set. Server-side tables are always
 * "wide", so the list is never clipped.
 */
export function loadBalancerAddresses(status: unknown): string[] {
  const seen = new Set<string>();
  for (const ing of list(status, 'ingress')) {
    const v = str(ing, 'ip') || str(ing, 'hostname');
    if (v !== '') seen.add(v);
  }
  return [...seen].sort();
}

function externalIP(svc: KubeObject, type: string): string {
  const externalIPs = strList(svc, 'spec', 'externalIPs');
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(at(svc, 'status', 'loadBalancer'));
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(svc, 'spec', 'externalName');
    default:
      return '<unknown>';
  }
}

/** `80/TCP`, `80:30080/TCP` when a node port is set, comma-joined; '' for no ports. */
function portsString(svc: KubeObject): string {
  return list(svc, 'spec', 'ports')
    .map((p) => {
      const port = int(p, 'port');
      const protocol = str(p, 'protocol');
      const nodePort = int(p, 'nodePort');
      return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
    })
    .join(',');
}
