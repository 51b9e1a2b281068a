/** core/v1 Event (the legacy event type that `kubectl get events` and `describe` read). */

import { CORE, META, gvk, int32, listOf, microTime, obj, objectProps, ref, str, time } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const EVENT_GVK = gvk('', 'v1', 'Event');

export const coreEventSchemas: SchemaMap = {
  [CORE + 'Event']: obj({
    description:
      'An Event records something that happened to an object, such as a scheduling decision, an image pull or an error. Events are informational and expire after a retention period (one hour by default).',
    properties: {
      ...objectProps('Event'),
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.', { default: {} }),
      action: str('What action was taken or failed, e.g. "Binding"; machine-readable.'),
      count: int32('Number of times this event has occurred.'),
      eventTime: microTime('When this event was first observed, with microsecond precision.'),
      firstTimestamp: time('When the event was first recorded.'),
      involvedObject: ref(CORE + 'ObjectReference', 'The object this event is about.', { default: {} }),
      lastTimestamp: time('When the most recent occurrence of this event was recorded.'),
      message: str('Human-readable description of the event.'),
      reason: str('Short CamelCase reason for the event, e.g. "Scheduled" or "FailedMount"; machine-readable.'),
      related: ref(CORE + 'ObjectReference', 'A second object involved, if any.'),
      reportingComponent: str('Name of the controller that emitted the event, e.g. "kubernetes.io/kubelet".'),
      reportingInstance: str('ID of the controller instance that emitted the event, e.g. the kubelet\'s node name.'),
      series: ref(CORE + 'EventSeries', 'Data about a series of repeated events; absent for a single event.'),
      source: ref(CORE + 'EventSource', 'The component (and host) that reported the event.', { default: {} }),
      type: str('Type of the event: "Normal" or "Warning"; new types may be added.'),
    },
    required: ['metadata', 'involvedObject'],
    gvk: [EVENT_GVK],
  }),
  [CORE + 'EventList']: listOf(CORE + 'Event', 'Event', EVENT_GVK, 'Events'),

  [CORE + 'EventSeries']: obj({
    description: 'A series of repeated occurrences of one event.',
    properties: {
      count: int32('Number of occurrences in this series up to the last heartbeat.'),
      lastObservedTime: microTime('When the last occurrence was observed.'),
    },
  }),

  [CORE + 'EventSource']: obj({
    description: 'The component that emitted an event.',
    properties: {
      component: str('Name of the component, e.g. "kubelet".'),
      host: str('Node name where the event was generated.'),
    },
  }),
};
