/**
 * Typed reads and writes over a Service stored as loose JSON. Upstream works on
 * Go structs where an unset string is "" and an unset int is 0; these helpers
 * give the same view so the ported rules read like the originals.
 */
import { type KubeObject, isRecord } from '../../../api/object.js';

export const TYPE_CLUSTER_IP = 'ClusterIP';
export const TYPE_NODE_PORT = 'NodePort';
export const TYPE_LOAD_BALANCER = 'LoadBalancer';
export const TYPE_EXTERNAL_NAME = 'ExternalName';
export const CLUSTER_IP_NONE = 'None';

export type JsonRecord = Record<string, unknown>;

/** The spec object, created empty when missing so callers can write into it. */
export function specOf(svc: KubeObject): JsonRecord {
  if (!isRecord(svc['spec'])) svc['spec'] = {};
  return svc['spec'] as JsonRecord;
}

/** The status object, created empty when missing. */
export function statusOf(svc: KubeObject): JsonRecord {
  if (!isRecord(svc['status'])) svc['status'] = {};
  return svc['status'] as JsonRecord;
}

/** A string field, "" when absent or not a string (Go zero value). */
export function str(r: JsonRecord, key: string): string {
  const v = r[key];
  return typeof v === 'string' ? v : '';
}

/** An integer field, 0 when absent or not a number (Go zero value). */
export function int(r: JsonRecord, key: string): number {
  const v = r[key];
  return typeof v === 'number' ? v : 0;
}

/** A list of strings, [] when absent; non-strings are kept as their String() form. */
export function strList(r: JsonRecord, key: string): string[] {
  const v = r[key];
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String(x))) : [];
}

/** The ports as records (non-record entries become empty records so indices stay aligned). */
export function portsOf(spec: JsonRecord): JsonRecord[] {
  const v = spec['ports'];
  if (!Array.isArray(v)) return [];
  return v.map((p, i) => {
    if (isRecord(p)) return p;
    const fresh: JsonRecord = {};
    v[i] = fresh;
    return fresh;
  });
}

export const svcType = (spec: JsonRecord): string => str(spec, 'type');

/** Type NodePort or LoadBalancer: node ports apply. */
export function needsNodePort(spec: JsonRecord): boolean {
  const t = svcType(spec);
  return t === TYPE_NODE_PORT || t === TYPE_LOAD_BALANCER;
}

/** Every type but ExternalName carries clusterIP(s) (possibly "None"). */
export function needsClusterIP(spec: JsonRecord): boolean {
  return svcType(spec) !== TYPE_EXTERNAL_NAME;
}

/** Upstream apiservice.ExternallyAccessible: LB, NodePort, or ClusterIP with externalIPs. */
export function externallyAccessible(spec: JsonRecord): boolean {
  const t = svcType(spec);
  return t === TYPE_LOAD_BALANCER || t === TYPE_NODE_PORT || (t === TYPE_CLUSTER_IP && strList(spec, 'externalIPs').length > 0);
}

/** Upstream apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local. */
export function needsHealthCheck(spec: JsonRecord): boolean {
  return svcType(spec) === TYPE_LOAD_BALANCER && str(spec, 'externalTrafficPolicy') === 'Local';
}

/** Headless: clusterIPs is exactly ["None"]. */
export function isHeadless(spec: JsonRecord): boolean {
  const ips = strList(spec, 'clusterIPs');
  return ips.length === 1 && ips[0] === CLUSTER_IP_NONE;
}

/** Whether the selector map is absent or empty. */
export function selectorIsEmpty(spec: JsonRecord): boolean {
  const s = spec['selector'];
  return !isRecord(s) || Object.keys(s).length === 0;
}

export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Node port numbers in use by the ports of a spec (0 skipped). */
export function collectNodePorts(spec: JsonRecord): number[] {
  return portsOf(spec)
    .map((p) => int(p, 'nodePort'))
    .filter((n) => n !== 0);
}
