/**
 * Events, in both API groups (upstream pkg/registry/core/event/strategy.go and
 * pkg/apis/core/validation/events.go). core/v1 gets the lenient "legacy"
 * validation only; events.k8s.io/v1 gets it plus the strict rules on create
 * and immutable fields on update. Field selectors follow upstream
 * ToSelectableFields (core names) and their events.k8s.io/v1 counterparts.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, invalid, required } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isDns1123Subdomain, isQualifiedName } from '../validation/names.js';
import { validateImmutableField } from '../validation/object-meta.js';
import { type JsonRecord, num, rec, str } from './json-shape.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

/** The same event read through either API's field names. */
interface EventView {
  readonly namespace: string;
  readonly regarding: JsonRecord;
  readonly eventTime: unknown;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: string;
  readonly note: string;
  readonly type: string;
  readonly sourceComponent: string;
}

function coreView(obj: KubeObject): EventView {
  return {
    namespace: obj.metadata.namespace ?? '',
    regarding: rec(obj['involvedObject']) ?? {},
    eventTime: obj['eventTime'],
    reportingController: str(obj['reportingComponent']),
    reportingInstance: str(obj['reportingInstance']),
    action: str(obj['action']),
    reason: str(obj['reason']),
    note: str(obj['message']),
    type: str(obj['type']),
    sourceComponent: str(rec(obj['source'])?.['component']),
  };
}

function eventsV1View(obj: KubeObject): EventView {
  return {
    namespace: obj.metadata.namespace ?? '',
    regarding: rec(obj['regarding']) ?? {},
    eventTime: obj['eventTime'],
    reportingController: str(obj['reportingController']),
    reportingInstance: str(obj['reportingInstance']),
    action: str(obj['action']),
    reason: str(obj['reason']),
    note: str(obj['note']),
    type: str(obj['type']),
    sourceComponent: str(rec(obj['deprecatedSource'])?.['component']),
  };
}

const hasEventTime = (v: EventView): boolean => typeof v.eventTime === 'string' && v.eventTime !== '';

/** Upstream legacyValidateEvent; `reportingField` is the API's name of the reporting controller field. */
function legacyValidate(v: EventView, reportingField: string): FieldError[] {
  const errs: FieldError[] = [];
  const regardingNs = str(v.regarding['namespace']);
  if (!hasEventTime(v)) {
    if (regardingNs === '') {
      if (v.namespace !== '' && v.namespace !== 'default') errs.push(invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    } else if (v.namespace !== regardingNs) {
      errs.push(invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    }
  } else {
    if (regardingNs === '' && v.namespace !== 'default' && v.namespace !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    }
    if (!v.reportingController) errs.push(required(reportingField));
    errs.push(...isQualifiedName(v.reportingController).map((m) => invalid(reportingField, v.reportingController, m)));
    if (!v.reportingInstance) errs.push(required('reportingInstance'));
    if (v.reportingInstance.length > REPORTING_INSTANCE_LIMIT) {
      errs.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    }
    if (!v.action) errs.push(required('action'));
    if (v.action.length > ACTION_LIMIT) errs.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
  }
  errs.push(...isDns1123Subdomain(v.namespace).map((m) => invalid('namespace', v.namespace, m)));
  return errs;
}

/** The strict events.k8s.io/v1 rules on create (upstream ValidateEventCreate). */
function strictValidate(obj: KubeObject, v: EventView): FieldError[] {
  const errs: FieldError[] = [];
  if (!hasEventTime(v)) errs.push(required('eventTime'));
  if (v.type !== 'Normal' && v.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${v.type}`));
  if (obj['deprecatedFirstTimestamp']) errs.push(invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (obj['deprecatedLastTimestamp']) errs.push(invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (num(obj['deprecatedCount'])) errs.push(invalid('deprecatedCount', '', 'needs to be unset'));
  if (v.sourceComponent || str(rec(obj['deprecatedSource'])?.['host'])) errs.push(invalid('deprecatedSource', '', 'needs to be unset'));
  const series = rec(obj['series']);
  if (series) {
    if ((num(series['count']) ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
    if (!str(series['lastObservedTime'])) errs.push(required('series.lastObservedTime'));
  }
  if (!v.reportingController) errs.push(required('reportingController'));
  errs.push(...isQualifiedName(v.reportingController).map((m) => invalid('reportingController', v.reportingController, m)));
  if (!v.reportingInstance) errs.push(required('reportingInstance'));
  if (v.reportingInstance.length > REPORTING_INSTANCE_LIMIT) {
    errs.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
  }
  if (!v.action) errs.push(required('action'));
  if (v.action.length > ACTION_LIMIT) errs.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
  if (!v.reason) errs.push(required('reason'));
  if (v.reason.length > REASON_LIMIT) errs.push(invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
  if (v.note.length > NOTE_LIMIT) errs.push(invalid('note', '', `can have at most ${NOTE_LIMIT} characters`));
  return errs;
}

/** Field selector values of a core/v1 Event (upstream ToSelectableFields). */
export function coreEventFieldLabels(obj: KubeObject): Record<string, string> {
  const v = coreView(obj);
  return {
    'involvedObject.kind': str(v.regarding['kind']),
    'involvedObject.namespace': str(v.regarding['namespace']),
    'involvedObject.name': str(v.regarding['name']),
    'involvedObject.uid': str(v.regarding['uid']),
    'involvedObject.apiVersion': str(v.regarding['apiVersion']),
    'involvedObject.resourceVersion': str(v.regarding['resourceVersion']),
    'involvedObject.fieldPath': str(v.regarding['fieldPath']),
    reason: v.reason,
    reportingComponent: v.reportingController,
    source: v.sourceComponent || v.reportingController,
    type: v.type,
  };
}

/** Field selector values of an events.k8s.io/v1 Event. */
export function eventsV1FieldLabels(obj: KubeObject): Record<string, string> {
  const v = eventsV1View(obj);
  return {
    'regarding.kind': str(v.regarding['kind']),
    'regarding.namespace': str(v.regarding['namespace']),
    'regarding.name': str(v.regarding['name']),
    'regarding.uid': str(v.regarding['uid']),
    'regarding.apiVersion': str(v.regarding['apiVersion']),
    'regarding.resourceVersion': str(v.regarding['resourceVersion']),
    'regarding.fieldPath': str(v.regarding['fieldPath']),
    reason: v.reason,
    reportingController: v.reportingController,
    source: v.sourceComponent || v.reportingController,
    type: v.type,
  };
}

export const coreEventStrategy: ResourceStrategy = {
  validateCreate: (obj) => legacyValidate(coreView(obj), 'reportingComponent'),
  validateUpdate: (obj) => legacyValidate(coreView(obj), 'reportingComponent'),
  fieldLabels: coreEventFieldLabels,
};

/** Fields an events.k8s.io/v1 update may not change (upstream ValidateEventUpdate). */
const IMMUTABLE_EVENTS_V1_FIELDS = [
  'regarding',
  'reason',
  'note',
  'deprecatedSource',
  'deprecatedFirstTimestamp',
  'deprecatedLastTimestamp',
  'deprecatedCount',
  'type',
  'eventTime',
  'action',
  'related',
  'reportingController',
  'reportingInstance',
] as const;

export const eventsV1EventStrategy: ResourceStrategy = {
  validateCreate(obj) {
    const v = eventsV1View(obj);
    return [...legacyValidate(v, 'reportingController'), ...strictValidate(obj, v)];
  },
  validateUpdate(obj, old) {
    const errs = legacyValidate(eventsV1View(obj), 'reportingController');
    for (const key of IMMUTABLE_EVENTS_V1_FIELDS) errs.push(...validateImmutableField(obj[key], old[key], key));
    return errs;
  },
  fieldLabels: eventsV1FieldLabels,
};
