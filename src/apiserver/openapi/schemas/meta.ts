/** meta/v1 and shared scalar schemas (ObjectMeta, ListMeta, LabelSelector, Status, …). */

import {
  INT_OR_STRING,
  META,
  QUANTITY,
  RAW_EXTENSION,
  arr,
  bool,
  gvk,
  int32,
  int64,
  obj,
  ref,
  refArr,
  str,
  strArr,
  strMap,
  time,
  typeMetaProps,
} from '../schema-dsl.js';
import type { GroupVersionKind, SchemaMap } from '../schema-dsl.js';

/**
 * GVKs under which upstream registers the option kinds (DeleteOptions, WatchEvent) for the
 * group-versions this server serves.
 */
const OPTION_GVKS = (kind: string): GroupVersionKind[] => [
  gvk('', 'v1', kind),
  gvk('apps', 'v1', kind),
  gvk('autoscaling', 'v1', kind),
  gvk('coordination.k8s.io', 'v1', kind),
  gvk('discovery.k8s.io', 'v1', kind),
  gvk('events.k8s.io', 'v1', kind),
  gvk('meta.k8s.io', 'v1', kind),
  gvk('networking.k8s.io', 'v1', kind),
];

export const metaSchemas: SchemaMap = {
  [META + 'Time']: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp serialised in RFC 3339 form with second precision, e.g. "2024-01-02T15:04:05Z".',
  },
  [META + 'MicroTime']: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp serialised in RFC 3339 form with microsecond precision, e.g. "2024-01-02T15:04:05.000001Z".',
  },
  [INT_OR_STRING]: {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    description: 'A value that is either an integer or a string, such as a port number or a named port, or "25%".',
  },
  [QUANTITY]: {
    oneOf: [{ type: 'string' }, { type: 'number' }],
    description:
      'A fixed-point amount with an optional suffix: binary SI (Ki, Mi, Gi, …), decimal SI (m, k, M, G, …) or an exponent (e.g. 1e3). Examples: "500m" CPU, "128Mi" memory.',
  },
  [RAW_EXTENSION]: {
    type: 'object',
    description: 'An embedded object of any kind, carried as raw JSON.',
  },
  [META + 'FieldsV1']: {
    type: 'object',
    description: 'The set of fields owned by a manager, encoded as a trie of field names ("f:<name>", "k:<key>", "v:<value>", "i:<index>").',
  },
  [META + 'Patch']: {
    type: 'object',
    description: 'The body of a PATCH request; its format depends on the request Content-Type (JSON patch, merge patch, strategic merge patch or apply configuration).',
  },

  [META + 'ObjectMeta']: obj({
    description:
      'Metadata that every persisted object has: identity (name, namespace, uid), user-supplied labels and annotations, ownership, and fields maintained by the system.',
    properties: {
      annotations: strMap(
        'Unstructured key/value data attached to the object by users and tools. Unlike labels, annotations are not queryable. Keys follow the same syntax as label keys.',
      ),
      creationTimestamp: time(
        'When the server created this object, in UTC. Set by the system and read-only; clients cannot set it.',
      ),
      deletionGracePeriodSeconds: int64(
        'Seconds the object is allowed to terminate gracefully before it is removed. Set together with deletionTimestamp; read-only.',
      ),
      deletionTimestamp: time(
        'When deletion was requested, set by the server on a graceful delete. Once set, the object is removed after its finalizers are cleared; it cannot be unset. Read-only.',
      ),
      finalizers: arr(
        { type: 'string' },
        'Names of pending cleanup steps. The object is not removed while this list is non-empty; each controller removes its own entry when done.',
        { listType: 'set', strategy: 'merge' },
      ),
      generateName: str(
        'Prefix the server uses to generate a unique name when name is empty: a random suffix is appended. Must be a valid name prefix.',
      ),
      generation: int64(
        'Sequence number of the desired state, incremented by the server when the spec changes. Read-only.',
      ),
      labels: strMap(
        'Key/value pairs used to organise and select objects (e.g. by Service selectors and ReplicaSets). Keys are an optional DNS-subdomain prefix and a name of at most 63 characters; values are at most 63 characters.',
      ),
      managedFields: refArr(
        META + 'ManagedFieldsEntry',
        'Which field manager owns which fields, maintained by the server for server-side apply. Normally not set or edited by users.',
        { listType: 'atomic' },
      ),
      name: str(
        'Name of the object, unique within its namespace (or cluster-wide for cluster-scoped kinds). Required on create unless generateName is set; cannot be changed.',
      ),
      namespace: str(
        'Namespace the object belongs to; empty for cluster-scoped kinds. Defaults to "default" (or the request namespace). Must be a DNS label; cannot be changed.',
      ),
      ownerReferences: refArr(
        META + 'OwnerReference',
        'Objects this object depends on. When every owner is deleted, the garbage collector deletes this object. At most one entry may have controller=true.',
        { listType: 'map', mapKeys: ['uid'], mergeKey: 'uid', strategy: 'merge' },
      ),
      resourceVersion: str(
        'Opaque version of this object, changed on every write. Used for optimistic concurrency on update and as a starting point for watch. Clients must not interpret it.',
      ),
      selfLink: str('Deprecated and always empty since Kubernetes 1.20.'),
      uid: str(
        'Unique identifier of this object over the lifetime of the cluster, assigned by the server on create. Read-only.',
      ),
    },
  }),

  [META + 'ListMeta']: obj({
    description: 'Metadata of a list response: its resource version and paging state.',
    properties: {
      continue: str(
        'Set when the list was truncated by a limit: pass it as the continue parameter to fetch the next page. Expires after a while.',
      ),
      remainingItemCount: int64(
        'Estimated number of items left after this page when the list was paginated; omitted when unknown.',
      ),
      resourceVersion: str('Version of the collection at the time of the list; watch from it to see later changes.'),
      selfLink: str('Deprecated and always empty since Kubernetes 1.20.'),
    },
  }),

  [META + 'LabelSelector']: obj({
    description:
      'A label query. All matchLabels and matchExpressions must hold (they are ANDed). An empty selector matches every object; a null selector matches none.',
    properties: {
      matchExpressions: refArr(
        META + 'LabelSelectorRequirement',
        'Requirements on labels, each of the form key/operator/values.',
        { listType: 'atomic' },
      ),
      matchLabels: strMap(
        'Exact key=value pairs to match; each entry is the same as a matchExpressions item with operator In and one value.',
      ),
    },
    mapType: 'atomic',
  }),

  [META + 'LabelSelectorRequirement']: obj({
    description: 'One selector requirement: a label key, an operator and a set of values.',
    properties: {
      key: str('The label key the requirement applies to.'),
      operator: str('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: strArr(
        'Values for In and NotIn (must be non-empty); must be empty for Exists and DoesNotExist.',
      ),
    },
    required: ['key', 'operator'],
  }),

  [META + 'OwnerReference']: obj({
    description:
      'Identifies an owning object in the same namespace (or a cluster-scoped owner), for garbage collection and controller adoption.',
    properties: {
      apiVersion: str('API version of the owner, e.g. "apps/v1".'),
      blockOwnerDeletion: bool(
        'When true and the owner uses foreground deletion, the owner is not removed until this object is deleted. Defaults to false.',
      ),
      controller: bool('True if the owner is the managing controller of this object. At most one owner may be the controller.'),
      kind: str('Kind of the owner, e.g. "ReplicaSet".'),
      name: str('Name of the owner.'),
      uid: str('UID of the owner; the reference is void if an object with that name has a different UID.'),
    },
    required: ['apiVersion', 'kind', 'name', 'uid'],
    mapType: 'atomic',
  }),

  [META + 'ManagedFieldsEntry']: obj({
    description: 'The fields one manager owns through one operation, recorded for server-side apply.',
    properties: {
      apiVersion: str('API version of the object the fieldset applies to; fields are interpreted in that version.'),
      fieldsType: str('Format of fieldsV1; the only value is "FieldsV1".'),
      fieldsV1: ref(META + 'FieldsV1', 'The owned fields, as a FieldsV1 trie.'),
      manager: str('Name of the workflow or tool that manages these fields (the fieldManager of its requests).'),
      operation: str('Operation that produced this entry: "Apply" or "Update".'),
      subresource: str('Subresource the fields were written through (e.g. "status" or "scale"); empty for the main resource.'),
      time: time('When the fields of this entry last changed.'),
    },
  }),

  [META + 'Condition']: obj({
    description: 'One aspect of the current state of an object, in the standard condition shape.',
    properties: {
      lastTransitionTime: time('When the condition last changed from one status to another.'),
      message: str('Human-readable details about the transition; may be empty.'),
      observedGeneration: int64(
        'metadata.generation the condition was computed from; lower than the current generation means it is stale.',
      ),
      reason: str('Programmatic CamelCase identifier for the last transition; must not be empty.'),
      status: str('Status of the condition: "True", "False" or "Unknown".', { enum: ['False', 'True', 'Unknown'] }),
      type: str('Type of the condition in CamelCase, e.g. "Available".'),
    },
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  }),

  [META + 'Status']: obj({
    description: 'The result of an operation that does not return an object, typically an error.',
    properties: {
      ...typeMetaProps('Status'),
      code: int32('HTTP status code of the result; 0 if not set.'),
      details: ref(
        META + 'StatusDetails',
        'Extra data about the result, depending on reason, such as the name of the affected object and field causes.',
      ),
      message: str('Human-readable description of the result.'),
      metadata: ref(META + 'ListMeta', 'Standard list metadata.', { default: {} }),
      reason: str(
        'Machine-readable reason for a Failure, e.g. "NotFound", "AlreadyExists", "Invalid", "Conflict"; empty when unknown.',
      ),
      status: str('"Success" or "Failure".'),
    },
    gvk: [gvk('', 'v1', 'Status')],
  }),

  [META + 'StatusDetails']: obj({
    description: 'Details of a Status: which object was affected and, for validation errors, which fields.',
    properties: {
      causes: refArr(META + 'StatusCause', 'Individual causes of the error, e.g. one per invalid field.', {
        listType: 'atomic',
      }),
      group: str('API group of the affected resource.'),
      kind: str('Kind (or resource) of the affected object.'),
      name: str('Name of the affected object, if there is one.'),
      retryAfterSeconds: int32('Seconds the client should wait before retrying, if the error is temporary.'),
      uid: str('UID of the affected object, if known.'),
    },
  }),

  [META + 'StatusCause']: obj({
    description: 'One cause of an error, usually tied to a field.',
    properties: {
      field: str('Path of the field that caused the error, e.g. "spec.ports[0].port"; may be empty.'),
      message: str('Human-readable description of the cause.'),
      reason: str('Machine-readable cause, e.g. "FieldValueInvalid".'),
    },
  }),

  [META + 'Preconditions']: obj({
    description: 'Conditions that must hold for a delete to be carried out.',
    properties: {
      resourceVersion: str('The delete fails with a conflict unless the object has this resourceVersion.'),
      uid: str('The delete fails with a conflict unless the object has this UID.'),
    },
  }),

  [META + 'DeleteOptions']: obj({
    description: 'Options for a DELETE request.',
    properties: {
      ...typeMetaProps('DeleteOptions'),
      dryRun: strArr('When "All", the request is validated but not persisted.'),
      gracePeriodSeconds: int64(
        'Seconds before the object is deleted; zero means immediately. Defaults to the kind\'s own grace period when unset.',
      ),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        'Deletes an object that cannot be read from storage (corrupt), bypassing finalizers and admission. Dangerous; defaults to false.',
      ),
      orphanDependents: bool('Deprecated: use propagationPolicy. When true, dependents are orphaned instead of deleted.'),
      preconditions: ref(META + 'Preconditions', 'Must be satisfied for the delete to proceed.'),
      propagationPolicy: str(
        'How dependents are garbage collected: "Orphan", "Background" (the default for most kinds) or "Foreground".',
      ),
    },
    gvk: OPTION_GVKS('DeleteOptions'),
  }),

  [META + 'WatchEvent']: obj({
    description: 'One event of a watch stream.',
    properties: {
      object: ref(
        RAW_EXTENSION,
        'The object after the change (ADDED, MODIFIED), its last state (DELETED), a bookmark (BOOKMARK) or a Status (ERROR).',
      ),
      type: str('Kind of event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    },
    required: ['type', 'object'],
    gvk: OPTION_GVKS('WatchEvent'),
  }),
};
