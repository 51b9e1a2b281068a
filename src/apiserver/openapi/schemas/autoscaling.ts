/** autoscaling/v1 Scale, the body of the `/scale` subresource. */

import { AUTOSCALING, gvk, int32, obj, objectProps, ref, str } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

export const SCALE_GVK = gvk('autoscaling', 'v1', 'Scale');

export const autoscalingSchemas: SchemaMap = {
  [AUTOSCALING + 'Scale']: obj({
    description: 'The scale of a resource (its desired and current replica counts), read and written through the scale subresource.',
    properties: {
      ...objectProps('Scale'),
      spec: ref(AUTOSCALING + 'ScaleSpec', 'Desired number of replicas.', { default: {} }),
      status: ref(AUTOSCALING + 'ScaleStatus', 'Current number of replicas and the Pod selector. Read-only.', { default: {} }),
    },
    gvk: [SCALE_GVK],
  }),

  [AUTOSCALING + 'ScaleSpec']: obj({
    description: 'The desired scale.',
    properties: {
      replicas: int32('Desired number of replicas.'),
    },
  }),

  [AUTOSCALING + 'ScaleStatus']: obj({
    description: 'The observed scale.',
    properties: {
      replicas: int32('Number of replicas observed.'),
      selector: str('Label selector of the Pods counted, in the string form used by "kubectl get -l".'),
    },
    required: ['replicas'],
  }),
};
