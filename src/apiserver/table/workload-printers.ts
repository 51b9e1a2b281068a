/**
 * apps/v1 Deployment, ReplicaSet and StatefulSet rows.
 */
import type { KubeObject } from '../../api/object.js';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  ageOf,
  column,
  containerCells,
  nameColumn,
  nameOf,
  printer,
  wideColumn,
} from './columns.js';
import { at, int, optInt } from './json-access.js';
import { formatLabelSelector, labelSelectorString } from './label-format.js';
import type { TablePrinter } from './table.js';

/** spec.replicas, with the apps/v1 default of 1 for objects stored undefaulted. */
function desiredReplicas(obj: KubeObject): number {
  return optInt(obj, 'spec', 'replicas') ?? 1;
}

function templateSpec(obj: KubeObject): unknown {
  return at(obj, 'spec', 'template', 'spec');
}

export const DEPLOYMENT_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Ready', 'string', 'Ready pods out of desired replicas.'),
    column('Up-to-date', 'string', 'Pods running the latest pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wideColumn('Selector', 'Label selector for the pods the deployment manages.'),
  ],
  (d, now) => {
    // Deployments print the raw selector string (no `<none>` for empty), unlike ReplicaSets.
    const sel = labelSelectorString(at(d, 'spec', 'selector'));
    return [
      nameOf(d),
      `${int(d, 'status', 'readyReplicas')}/${desiredReplicas(d)}`,
      int(d, 'status', 'updatedReplicas'),
      int(d, 'status', 'availableReplicas'),
      ageOf(d, now),
      ...containerCells(templateSpec(d)),
      sel.ok ? sel.text : '<invalid>',
    ];
  },
);

export const REPLICA_SET_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Desired', 'integer', 'Number of pods the replica set should run.'),
    column('Current', 'integer', 'Number of pods the replica set currently has.'),
    column('Ready', 'integer', 'Number of its pods that are ready.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wideColumn('Selector', 'Label selector for the pods the replica set manages.'),
  ],
  (rs, now) => [
    nameOf(rs),
    desiredReplicas(rs),
    int(rs, 'status', 'replicas'),
    int(rs, 'status', 'readyReplicas'),
    ageOf(rs, now),
    ...containerCells(templateSpec(rs)),
    formatLabelSelector(at(rs, 'spec', 'selector')),
  ],
);

export const STATEFUL_SET_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Ready', 'string', 'Ready pods out of desired replicas.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
  ],
  (sts, now) => [
    nameOf(sts),
    `${int(sts, 'status', 'readyReplicas')}/${desiredReplicas(sts)}`,
    ageOf(sts, now),
    ...containerCells(templateSpec(sts)),
  ],
);
