/** Every controller the embedded controller manager runs, in start order. */
import type { ControllerDescriptor } from './controller-context.js';
import { deploymentController } from './deployment/deployment-controller.js';
import { endpointsController } from './endpoints/endpoints-controller.js';
import { endpointSliceController } from './endpointslice/endpointslice-controller.js';
import { endpointSliceMirroringController } from './endpointslice-mirroring/endpointslice-mirroring-controller.js';
import { garbageCollectorController } from './garbage-collector/garbage-collector-controller.js';
import { namespaceController } from './namespace/namespace-controller.js';
import { nodeLifecycleController } from './node-lifecycle/node-lifecycle-controller.js';
import { replicaSetController } from './replicaset/replicaset-controller.js';
import { schedulerController } from './scheduler/scheduler-controller.js';
import { statefulSetController } from './statefulset/statefulset-controller.js';

export const ALL_CONTROLLERS: readonly ControllerDescriptor[] = [
  namespaceController,
  garbageCollectorController,
  nodeLifecycleController,
  schedulerController,
  deploymentController,
  replicaSetController,
  statefulSetController,
  endpointSliceController,
  endpointsController,
  endpointSliceMirroringController,
];

/** Select controllers as kube-controller-manager's --controllers does: `*`, `name`, `-name`. */
export function selectControllers(spec: string): ControllerDescriptor[] {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const all = parts.length === 0 || parts.includes('*');
  return ALL_CONTROLLERS.filter((c) => !parts.includes(`-${c.name}`) && (all || parts.includes(c.name)));
}
