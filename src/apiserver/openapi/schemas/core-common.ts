/** core/v1 reference types shared by many kinds. */

import { CORE, obj, str } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

export const coreCommonSchemas: SchemaMap = {
  [CORE + 'ObjectReference']: obj({
    description: 'A reference to another object, by kind, namespace and name (and optionally UID and version).',
    properties: {
      apiVersion: str('API version of the referenced object.'),
      fieldPath: str(
        'A field inside the object that the reference points at, e.g. "spec.containers{app}" for one container of a Pod.',
      ),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
      namespace: str('Namespace of the referenced object; empty for cluster-scoped objects.'),
      resourceVersion: str('The resourceVersion of the object that this reference was made from, if any.'),
      uid: str('UID of the referenced object.'),
    },
    mapType: 'atomic',
  }),

  [CORE + 'LocalObjectReference']: obj({
    description: 'A reference by name to an object in the same namespace.',
    properties: {
      name: str('Name of the referenced object. An empty name is allowed for historical reasons but is almost always a mistake.'),
    },
    mapType: 'atomic',
  }),

  [CORE + 'TypedLocalObjectReference']: obj({
    description: 'A reference to an object of a given kind and API group in the same namespace.',
    properties: {
      apiGroup: str('API group of the referenced object; empty for the core group.'),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
    },
    required: ['kind', 'name'],
    mapType: 'atomic',
  }),

  [CORE + 'TypedObjectReference']: obj({
    description: 'A reference to an object of a given kind and API group, optionally in another namespace.',
    properties: {
      apiGroup: str('API group of the referenced object; empty for the core group.'),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
      namespace: str(
        'Namespace of the referenced object; a cross-namespace reference needs a ReferenceGrant in that namespace.',
      ),
    },
    required: ['kind', 'name'],
  }),
};
