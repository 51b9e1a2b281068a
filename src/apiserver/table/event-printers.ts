/**
 * Event rows for core/v1 and events.k8s.io/v1 Events. Upstream serves both
 * from one internal type, so they share the columns `LAST SEEN TYPE REASON
 * OBJECT [SUBOBJECT SOURCE] MESSAGE [FIRST SEEN COUNT NAME]`; the
 * events.k8s.io fields are mapped onto the core ones first.
 */
import type { KubeObject } from '../../api/object.js';
import { column, nameColumn, nameOf, printer, wideColumn } from './columns.js';
import { translateTimestampSince } from './human-duration.js';
import { at, int, optStr, str } from './json-access.js';
import type { TableColumnDefinition, TablePrinter } from './table.js';

const EVENT_COLUMNS: readonly TableColumnDefinition[] = [
  column('Last Seen', 'string', 'Time since the event was last observed.'),
  column('Type', 'string', 'Event type: Normal or Warning.'),
  column('Reason', 'string', 'Short machine-readable reason for the event.'),
  column('Object', 'string', 'The object the event is about, as kind/name.'),
  wideColumn('Subobject', 'Field path within the object, e.g. a container.'),
  wideColumn('Source', 'Component (and host) that reported the event.'),
  column('Message', 'string', 'Human-readable description of the event.'),
  wideColumn('First Seen', 'Time since the event was first observed.'),
  wideColumn('Count', 'How many times the event has occurred.'),
  nameColumn(1),
];

/** The fields the printer needs, in core/v1 terms. */
interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  involvedKind: string;
  involvedName: string;
  fieldPath: string;
  sourceComponent: string;
  sourceHost: string;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  eventTime: string | undefined;
  count: number;
  series: { count: number; lastObservedTime: string | undefined } | undefined;
}

function coreView(ev: KubeObject): EventView {
  const series = at(ev, 'series');
  return {
    name: nameOf(ev),
    type: str(ev, 'type'),
    reason: str(ev, 'reason'),
    message: str(ev, 'message'),
    involvedKind: str(ev, 'involvedObject', 'kind'),
    involvedName: str(ev, 'involvedObject', 'name'),
    fieldPath: str(ev, 'involvedObject', 'fieldPath'),
    sourceComponent: str(ev, 'source', 'component'),
    sourceHost: str(ev, 'source', 'host'),
    // core/v1 calls the reporting controller `reportingComponent`.
    reportingController: str(ev, 'reportingComponent'),
    reportingInstance: str(ev, 'reportingInstance'),
    firstTimestamp: optStr(ev, 'firstTimestamp'),
    lastTimestamp: optStr(ev, 'lastTimestamp'),
    eventTime: optStr(ev, 'eventTime'),
    count: int(ev, 'count'),
    series: series === undefined || series === null ? undefined : { count: int(series, 'count'), lastObservedTime: optStr(series, 'lastObservedTime') },
  };
}

/** events.k8s.io/v1 field names (regarding, note, deprecated*) mapped to core ones. */
function eventsV1View(ev: KubeObject): EventView {
  const series = at(ev, 'series');
  return {
    name: nameOf(ev),
    type: str(ev, 'type'),
    reason: str(ev, 'reason'),
    message: str(ev, 'note'),
    involvedKind: str(ev, 'regarding', 'kind'),
    involvedName: str(ev, 'regarding', 'name'),
    fieldPath: str(ev, 'regarding', 'fieldPath'),
    sourceComponent: str(ev, 'deprecatedSource', 'component'),
    sourceHost: str(ev, 'deprecatedSource', 'host'),
    reportingController: str(ev, 'reportingController'),
    reportingInstance: str(ev, 'reportingInstance'),
    firstTimestamp: optStr(ev, 'deprecatedFirstTimestamp'),
    lastTimestamp: optStr(ev, 'deprecatedLastTimestamp'),
    eventTime: optStr(ev, 'eventTime'),
    count: int(ev, 'deprecatedCount'),
    series: series === undefined || series === null ? undefined : { count: int(series, 'count'), lastObservedTime: optStr(series, 'lastObservedTime') },
  };
}

function eventCells(e: EventView, now: Date): unknown[] {
  let firstSeen = translateTimestampSince(e.firstTimestamp, now);
  if (firstSeen === '<unknown>') firstSeen = translateTimestampSince(e.eventTime, now);
  let lastSeen = translateTimestampSince(e.lastTimestamp, now);
  if (lastSeen === '<unknown>') lastSeen = firstSeen;
  let count = e.count;
  if (e.series !== undefined) {
    lastSeen = translateTimestampSince(e.series.lastObservedTime, now);
    count = e.series.count;
  } else if (count === 0) {
    // Events written through the new API leave count unset for one-offs.
    count = 1;
  }
  const kind = e.involvedKind.toLowerCase();
  const target = e.involvedName !== '' ? `${kind}/${e.involvedName}` : kind;
  const component = e.sourceComponent || e.reportingController;
  const instance = e.sourceHost || e.reportingInstance;
  const source = instance === '' ? component : `${component}, ${instance}`;
  return [lastSeen, e.type, e.reason, target, e.fieldPath, source, e.message.trim(), firstSeen, count, e.name];
}

export const CORE_EVENT_PRINTER: TablePrinter = printer(EVENT_COLUMNS, (ev, now) => eventCells(coreView(ev), now));

export const EVENTS_V1_EVENT_PRINTER: TablePrinter = printer(EVENT_COLUMNS, (ev, now) =>
  eventCells(eventsV1View(ev), now),
);
