/** events.k8s.io/v1 Event. */

import { CORE, EVENTS, gvk, int32, listOf, microTime, obj, objectProps, ref, str, time } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const EVENT_GVK = gvk('events.k8s.io', 'v1', 'Event');

export const eventsSchemas: SchemaMap = {
  [EVENTS + 'Event']: obj({
    description:
      'An Event reports something that happened to an object, for example a state change or an error. This is the newer form of core/v1 Event, with clearer field names; both views share the same storage.',
    properties: {
      ...objectProps('Event'),
      action: str('What action was taken or failed on the regarding object, e.g. "Scheduling"; machine-readable, at most 128 characters.'),
      deprecatedCount: int32('Occurrence count of the core/v1 view, kept for compatibility.'),
      deprecatedFirstTimestamp: time('firstTimestamp of the core/v1 view, kept for compatibility.'),
      deprecatedLastTimestamp: time('lastTimestamp of the core/v1 view, kept for compatibility.'),
      deprecatedSource: ref(CORE + 'EventSource', 'source of the core/v1 view, kept for compatibility.', { default: {} }),
      eventTime: microTime('When the event was first observed. Required.'),
      note: str('Human-readable description of the event, at most 1 kB.'),
      reason: str('Short CamelCase reason for the action; machine-readable, at most 128 characters.'),
      regarding: ref(CORE + 'ObjectReference', 'The object this event is about, e.g. a Pod.', { default: {} }),
      related: ref(CORE + 'ObjectReference', 'A second object involved, e.g. the Node a Pod was bound to.'),
      reportingController: str('Name of the controller that emitted the event, e.g. "kubernetes.io/kubelet". Required for new events.'),
      reportingInstance: str('ID of the controller instance, e.g. "kubelet-node-1". Required for new events.'),
      series: ref(EVENTS + 'EventSeries', 'Data about repeated occurrences; absent for a single event.'),
      type: str('"Normal" or "Warning"; new types may be added.'),
    },
    required: ['eventTime'],
    gvk: [EVENT_GVK],
  }),
  [EVENTS + 'EventList']: listOf(EVENTS + 'Event', 'Event', EVENT_GVK, 'Events'),

  [EVENTS + 'EventSeries']: obj({
    description: 'Repeated occurrences of an event, summarised.',
    properties: {
      count: int32('Number of occurrences up to the last heartbeat.'),
      lastObservedTime: microTime('When the last occurrence was observed.'),
    },
    required: ['count', 'lastObservedTime'],
  }),
};
