/** apps/v1 Deployment, ReplicaSet and StatefulSet. */

import {
  APPS,
  CORE,
  META,
  bool,
  gvk,
  int32,
  int64,
  intOrString,
  listOf,
  obj,
  objectProps,
  ref,
  refArr,
  str,
  time,
} from '../schema-dsl.js';
import type { ListOpts, OpenApiSchema, SchemaMap } from '../schema-dsl.js';

const DEPLOYMENT_GVK = gvk('apps', 'v1', 'Deployment');
const REPLICASET_GVK = gvk('apps', 'v1', 'ReplicaSet');
const STATEFULSET_GVK = gvk('apps', 'v1', 'StatefulSet');

const CONDITIONS: ListOpts = { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' };

function condition(owner: string, example: string): OpenApiSchema {
  return obj({
    description: `One condition of a ${owner}.`,
    properties: {
      lastTransitionTime: time('When the condition last changed status.'),
      message: str('Human-readable details of the last transition.'),
      reason: str('CamelCase reason for the last transition.'),
      status: str('"True", "False" or "Unknown".'),
      type: str(`Type of the condition, e.g. "${example}".`),
    },
    required: ['type', 'status'],
  });
}

const selector = (owner: string): OpenApiSchema =>
  ref(
    META + 'LabelSelector',
    `Label query over Pods that belong to this ${owner}; it must match the labels of the Pod template. Cannot be changed after creation in apps/v1.`,
  );

const minReadySeconds = (): OpenApiSchema =>
  int32(
    'Seconds a new Pod must be ready, with no container crashing, before it counts as available. Defaults to 0 (available as soon as ready).',
  );

export const appsSchemas: SchemaMap = {
  [APPS + 'Deployment']: obj({
    description:
      'A Deployment declares the desired state of a set of identical Pods and rolls out changes to them in a controlled way, through ReplicaSets.',
    properties: {
      ...objectProps('Deployment'),
      spec: ref(APPS + 'DeploymentSpec', 'Desired state of the Deployment: replicas, selector, Pod template and rollout strategy.', {
        default: {},
      }),
      status: ref(APPS + 'DeploymentStatus', 'Most recently observed state of the Deployment. Read-only.', { default: {} }),
    },
    gvk: [DEPLOYMENT_GVK],
  }),
  [APPS + 'DeploymentList']: listOf(APPS + 'Deployment', 'Deployment', DEPLOYMENT_GVK, 'Deployments'),

  [APPS + 'DeploymentSpec']: obj({
    description: 'The desired behaviour of a Deployment.',
    properties: {
      minReadySeconds: minReadySeconds(),
      paused: bool('When true, changes to the Pod template do not start a rollout until the Deployment is resumed.'),
      progressDeadlineSeconds: int32(
        'Seconds a rollout may make no progress before the Deployment reports ProgressDeadlineExceeded in its Progressing condition. Must exceed minReadySeconds; defaults to 600.',
      ),
      replicas: int32('Number of desired Pods. Defaults to 1; 0 is allowed.'),
      revisionHistoryLimit: int32(
        'Number of old ReplicaSets kept to allow rollback. Defaults to 10.',
      ),
      selector: selector('Deployment'),
      strategy: {
        ...ref(APPS + 'DeploymentStrategy', 'How existing Pods are replaced by new ones.', { default: {} }),
        'x-kubernetes-patch-strategy': 'retainKeys',
      },
      template: ref(
        CORE + 'PodTemplateSpec',
        'Template of the Pods to create. Its labels must match selector, and its restartPolicy must be Always.',
        { default: {} },
      ),
    },
    required: ['selector', 'template'],
  }),

  [APPS + 'DeploymentStrategy']: obj({
    description: 'How a Deployment replaces old Pods with new ones.',
    properties: {
      rollingUpdate: ref(APPS + 'RollingUpdateDeployment', 'Parameters of a rolling update; only when type is RollingUpdate.'),
      type: str('"RollingUpdate" (default) replaces Pods gradually; "Recreate" deletes all old Pods before creating new ones.', {
        enum: ['Recreate', 'RollingUpdate'],
      }),
    },
  }),

  [APPS + 'RollingUpdateDeployment']: obj({
    description: 'Parameters of a rolling update of a Deployment.',
    properties: {
      maxSurge: intOrString(
        'How many Pods may be created above the desired replicas during the update: a number or a percentage (rounded up). Defaults to 25%; cannot be 0 when maxUnavailable is 0.',
      ),
      maxUnavailable: intOrString(
        'How many Pods may be unavailable during the update: a number or a percentage (rounded down). Defaults to 25%; cannot be 0 when maxSurge is 0.',
      ),
    },
  }),

  [APPS + 'DeploymentStatus']: obj({
    description: 'The observed state of a Deployment.',
    properties: {
      availableReplicas: int32('Pods targeted by the Deployment that have been ready for at least minReadySeconds.'),
      collisionCount: int32('Counter used to avoid name collisions of new ReplicaSets.'),
      conditions: refArr(APPS + 'DeploymentCondition', 'Current conditions: Available, Progressing, ReplicaFailure.', CONDITIONS),
      observedGeneration: int64('metadata.generation last acted on by the controller.'),
      readyReplicas: int32('Pods targeted by the Deployment that are ready.'),
      replicas: int32('Non-terminating Pods targeted by the Deployment (their labels match the selector).'),
      terminatingReplicas: int32('Pods targeted by the Deployment that are terminating.'),
      unavailableReplicas: int32('Pods still needed for the Deployment to reach 100% availability.'),
      updatedReplicas: int32('Non-terminating Pods that run the current Pod template.'),
    },
  }),

  [APPS + 'DeploymentCondition']: obj({
    description: 'One condition of a Deployment.',
    properties: {
      lastTransitionTime: time('When the condition last changed status.'),
      lastUpdateTime: time('When the condition was last updated.'),
      message: str('Human-readable details of the last transition.'),
      reason: str('CamelCase reason for the last transition, e.g. "NewReplicaSetAvailable".'),
      status: str('"True", "False" or "Unknown".'),
      type: str('Type of the condition: "Available", "Progressing" or "ReplicaFailure".'),
    },
    required: ['type', 'status'],
  }),

  [APPS + 'ReplicaSet']: obj({
    description:
      'A ReplicaSet keeps a given number of identical Pods running. It is normally managed by a Deployment rather than used directly.',
    properties: {
      ...objectProps('ReplicaSet'),
      spec: ref(APPS + 'ReplicaSetSpec', 'Desired state of the ReplicaSet: replicas, selector and Pod template.', {
        default: {},
      }),
      status: ref(APPS + 'ReplicaSetStatus', 'Most recently observed state of the ReplicaSet. Read-only.', { default: {} }),
    },
    gvk: [REPLICASET_GVK],
  }),
  [APPS + 'ReplicaSetList']: listOf(APPS + 'ReplicaSet', 'ReplicaSet', REPLICASET_GVK, 'ReplicaSets'),

  [APPS + 'ReplicaSetSpec']: obj({
    description: 'The desired behaviour of a ReplicaSet.',
    properties: {
      minReadySeconds: minReadySeconds(),
      replicas: int32('Number of desired Pods. Defaults to 1.'),
      selector: selector('ReplicaSet'),
      template: ref(
        CORE + 'PodTemplateSpec',
        'Template of the Pods created when too few exist. Its labels must match selector.',
        { default: {} },
      ),
    },
    required: ['selector'],
  }),

  [APPS + 'ReplicaSetStatus']: obj({
    description: 'The observed state of a ReplicaSet.',
    properties: {
      availableReplicas: int32('Pods of the ReplicaSet that have been ready for at least minReadySeconds.'),
      conditions: refArr(APPS + 'ReplicaSetCondition', 'Current conditions, e.g. ReplicaFailure.', CONDITIONS),
      fullyLabeledReplicas: int32('Pods whose labels match the Pod template\'s labels.'),
      observedGeneration: int64('metadata.generation last acted on by the controller.'),
      readyReplicas: int32('Pods of the ReplicaSet that are ready.'),
      replicas: int32('Non-terminating Pods of the ReplicaSet.'),
      terminatingReplicas: int32('Pods of the ReplicaSet that are terminating.'),
    },
    required: ['replicas'],
  }),
  [APPS + 'ReplicaSetCondition']: condition('ReplicaSet', 'ReplicaFailure'),

  [APPS + 'StatefulSet']: obj({
    description:
      'A StatefulSet runs Pods with stable identities: each Pod gets a fixed ordinal name, a stable DNS name through a headless Service, and its own persistent volumes.',
    properties: {
      ...objectProps('StatefulSet'),
      spec: ref(APPS + 'StatefulSetSpec', 'Desired state of the StatefulSet.', { default: {} }),
      status: ref(APPS + 'StatefulSetStatus', 'Most recently observed state of the StatefulSet. Read-only.', { default: {} }),
    },
    gvk: [STATEFULSET_GVK],
  }),
  [APPS + 'StatefulSetList']: listOf(APPS + 'StatefulSet', 'StatefulSet', STATEFULSET_GVK, 'StatefulSets'),

  [APPS + 'StatefulSetSpec']: obj({
    description: 'The desired behaviour of a StatefulSet.',
    properties: {
      minReadySeconds: minReadySeconds(),
      ordinals: ref(APPS + 'StatefulSetOrdinals', 'Numbering of the replica ordinals; starts at 0 by default.'),
      persistentVolumeClaimRetentionPolicy: ref(
        APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy',
        'Whether claims created from volumeClaimTemplates are deleted when the StatefulSet is deleted or scaled down. Retained by default.',
      ),
      podManagementPolicy: str(
        '"OrderedReady" (default) creates Pods one at a time in order and removes them in reverse; "Parallel" creates and deletes them all at once. Cannot be changed.',
        { enum: ['OrderedReady', 'Parallel'] },
      ),
      replicas: int32('Number of desired Pods. Defaults to 1.'),
      revisionHistoryLimit: int32('Number of old revisions (ControllerRevisions) kept. Defaults to 10.'),
      selector: selector('StatefulSet'),
      serviceName: str(
        'Name of the headless Service that gives the Pods their DNS names, <pod>.<serviceName>.<namespace>.svc. It must exist before the StatefulSet.',
      ),
      template: ref(
        CORE + 'PodTemplateSpec',
        'Template of the Pods; each Pod is named <statefulset>-<ordinal>. Its labels must match selector.',
        { default: {} },
      ),
      updateStrategy: ref(
        APPS + 'StatefulSetUpdateStrategy',
        'How Pods are updated when the template changes. Defaults to RollingUpdate.',
        { default: {} },
      ),
      volumeClaimTemplates: refArr(
        CORE + 'PersistentVolumeClaim',
        'Claims created for each Pod (named <template>-<pod>) and mounted by name; they take precedence over Pod volumes of the same name.',
        { listType: 'atomic' },
      ),
    },
    required: ['selector', 'template'],
  }),

  [APPS + 'StatefulSetOrdinals']: obj({
    description: 'Numbering of StatefulSet replicas.',
    properties: {
      start: int32('Number given to the first replica; replicas are numbered start..start+replicas-1. Defaults to 0.'),
    },
  }),

  [APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy']: obj({
    description: 'What happens to claims from volumeClaimTemplates when they are no longer needed.',
    properties: {
      whenDeleted: str('"Retain" (default) or "Delete" the claims when the StatefulSet is deleted.'),
      whenScaled: str('"Retain" (default) or "Delete" the claims of removed replicas when scaling down.'),
    },
  }),

  [APPS + 'StatefulSetUpdateStrategy']: obj({
    description: 'How a StatefulSet updates its Pods.',
    properties: {
      rollingUpdate: ref(APPS + 'RollingUpdateStatefulSetStrategy', 'Parameters of a rolling update; only when type is RollingUpdate.'),
      type: str('"RollingUpdate" (default) replaces Pods in reverse ordinal order; "OnDelete" updates a Pod only when it is deleted.', {
        enum: ['OnDelete', 'RollingUpdate'],
      }),
    },
  }),

  [APPS + 'RollingUpdateStatefulSetStrategy']: obj({
    description: 'Parameters of a StatefulSet rolling update.',
    properties: {
      maxUnavailable: intOrString(
        'How many Pods may be unavailable during the update: a number or a percentage (rounded up, at least 1). Defaults to 1. Requires the MaxUnavailableStatefulSet feature.',
      ),
      partition: int32(
        'Only Pods with an ordinal at least this large are updated; the others keep the old revision. Defaults to 0.',
      ),
    },
  }),

  [APPS + 'StatefulSetStatus']: obj({
    description: 'The observed state of a StatefulSet.',
    properties: {
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      collisionCount: int32('Counter used to avoid name collisions of new ControllerRevisions.'),
      conditions: refArr(APPS + 'StatefulSetCondition', 'Current conditions of the StatefulSet.', CONDITIONS),
      currentReplicas: int32('Pods created from the currentRevision.'),
      currentRevision: str('Revision used for Pods with ordinals below the partition.'),
      observedGeneration: int64('metadata.generation last acted on by the controller.'),
      readyReplicas: int32('Pods that are ready.'),
      replicas: int32('Pods created by the controller.'),
      updateRevision: str('Revision of the current Pod template.'),
      updatedReplicas: int32('Pods created from the updateRevision.'),
    },
    required: ['replicas'],
  }),
  [APPS + 'StatefulSetCondition']: condition('StatefulSet', 'Progressing'),
};
