/**
 * Node rows: `NAME STATUS ROLES AGE VERSION [INTERNAL-IP EXTERNAL-IP
 * OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME]`.
 */
import type { KubeObject } from '../../api/object.js';
import { AGE_COLUMN, ageOf, column, nameColumn, nameOf, printer, wideColumn } from './columns.js';
import { at, list, str } from './json-access.js';
import type { TablePrinter } from './table.js';

const NODE_ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
/** Older single-role label, still honoured by upstream's printer. */
const LEGACY_NODE_ROLE_LABEL = 'kubernetes.io/role';

export const NODE_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Status', 'string', 'Readiness of the node, and SchedulingDisabled when cordoned.'),
    column('Roles', 'string', 'Roles from the node-role.kubernetes.io/<role> labels.'),
    AGE_COLUMN,
    column('Version', 'string', 'Version of the kubelet (node agent) on the node.'),
    wideColumn('Internal-IP', 'First InternalIP address of the node.'),
    wideColumn('External-IP', 'First ExternalIP address of the node.'),
    wideColumn('OS-Image', 'Operating system image reported by the node.'),
    wideColumn('Kernel-Version', 'Kernel version reported by the node.'),
    wideColumn('Container-Runtime', 'Container runtime name and version reported by the node.'),
  ],
  (node, now) => [
    nameOf(node),
    nodeStatus(node),
    nodeRoles(node).join(',') || '<none>',
    ageOf(node, now),
    str(node, 'status', 'nodeInfo', 'kubeletVersion'),
    nodeAddress(node, 'InternalIP'),
    nodeAddress(node, 'ExternalIP'),
    str(node, 'status', 'nodeInfo', 'osImage') || '<unknown>',
    str(node, 'status', 'nodeInfo', 'kernelVersion') || '<unknown>',
    str(node, 'status', 'nodeInfo', 'containerRuntimeVersion') || '<unknown>',
  ],
);

/** `Ready`, `NotReady` or `Unknown` (no Ready condition), plus `,SchedulingDisabled`. */
function nodeStatus(node: KubeObject): string {
  const parts: string[] = [];
  // Later duplicates win, as upstream builds a map keyed by condition type.
  const ready = list(node, 'status', 'conditions')
    .filter((c) => str(c, 'type') === 'Ready')
    .at(-1);
  if (ready === undefined) parts.push('Unknown');
  else parts.push(str(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  if (at(node, 'spec', 'unschedulable') === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Sorted, distinct roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role=<role>`. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_LABEL_PREFIX)) {
      const role = k.slice(NODE_ROLE_LABEL_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (k === LEGACY_NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = list(node, 'status', 'addresses').find((x) => str(x, 'type') === type);
  return a === undefined ? '<none>' : str(a, 'address');
}
