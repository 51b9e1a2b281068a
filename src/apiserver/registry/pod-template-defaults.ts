/**
 * Defaulting of PodSpec and everything in it, shared by Pods and the pod
 * templates of Deployments, ReplicaSets and StatefulSets. Mirrors upstream
 * pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Container, _Probe,
 * _HTTPGetAction, _Volume, ...) plus the declarative `+default` markers of
 * k8s.io/api/core/v1 (ContainerPort.protocol, GRPCAction.service), and the
 * empty structs Go always serialises (`resources: {}`, template
 * `metadata.creationTimestamp: null`) so objects read back as on a real cluster.
 *
 * Pod-only defaults (enableServiceLinks, requests from limits, host ports with
 * hostNetwork) are not here: upstream applies them to Pods, not to templates.
 */
import { isRecord } from '../../api/object.js';
import { type JsonRecord, ensureRecord, rec, records, setDefault, str } from './json-shape.js';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** 0644, the default file mode of secret/configMap/downwardAPI/projected volumes. */
export const DEFAULT_VOLUME_FILE_MODE = 420;
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

const PROBE_KEYS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const CONTAINER_LIST_KEYS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

// distribution/reference grammar, enough to tell a well-formed reference from a bad one.
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/**
 * The tag upstream's parsers.ParseImageName finds in an image reference:
 * `latest` when neither tag nor digest is given, '' for digest-only or
 * malformed references.
 */
export function imageTag(image: string): string {
  if (image === '') return '';
  const at = image.indexOf('@');
  const hasDigest = at >= 0;
  const named = hasDigest ? image.slice(0, at) : image;
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : '';
  // The first component is a registry host if it looks like one; the rest must be lowercase paths.
  const parts = name.split('/');
  const first = parts[0] ?? '';
  const isDomain = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  const pathParts = isDomain ? parts.slice(1) : parts;
  if (pathParts.length === 0 || !pathParts.every((p) => PATH_COMPONENT_RE.test(p))) return '';
  if (hasTag && !TAG_RE.test(tag)) return '';
  if (!hasTag && !hasDigest) return 'latest';
  return tag;
}

/** `Always` for `:latest` (or untagged) images, otherwise `IfNotPresent`, as SetDefaults_Container. */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Set a numeric field whose Go zero value (0 or absent) means "use the default". */
function defaultNonZero(r: JsonRecord, key: string, value: number): void {
  const cur = r[key];
  if (typeof cur !== 'number' || cur === 0) r[key] = value;
}

/** Set a pointer field (absent/null means unset; 0 is a real value). */
function defaultPointer(r: JsonRecord, key: string, value: unknown): void {
  if (r[key] === undefined || r[key] === null) r[key] = value;
}

function defaultHttpGet(h: unknown): void {
  const r = rec(h);
  if (!r) return;
  setDefault(r, 'path', '/');
  setDefault(r, 'scheme', 'HTTP');
}

function defaultProbe(p: unknown): void {
  const r = rec(p);
  if (!r) return;
  defaultNonZero(r, 'timeoutSeconds', 1);
  defaultNonZero(r, 'periodSeconds', 10);
  defaultNonZero(r, 'successThreshold', 1);
  defaultNonZero(r, 'failureThreshold', 3);
  defaultHttpGet(r['httpGet']);
  const grpc = rec(r['grpc']);
  if (grpc) defaultPointer(grpc, 'service', '');
}

/** ObjectFieldSelector.apiVersion and ResourceFieldSelector.divisor (a Quantity Go always writes). */
function defaultFieldSelectors(source: JsonRecord): void {
  const fieldRef = rec(source['fieldRef']);
  if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  const resourceFieldRef = rec(source['resourceFieldRef']);
  if (resourceFieldRef) defaultPointer(resourceFieldRef, 'divisor', '0');
}

/** SetDefaults_Container (also used for init and ephemeral containers). */
export function defaultContainer(c: JsonRecord): void {
  if (!str(c['imagePullPolicy'])) c['imagePullPolicy'] = defaultImagePullPolicy(str(c['image']));
  setDefault(c, 'terminationMessagePath', DEFAULT_TERMINATION_MESSAGE_PATH);
  setDefault(c, 'terminationMessagePolicy', 'File');
  // ResourceRequirements is a struct, not a pointer: Go always writes it.
  if (!isRecord(c['resources'])) c['resources'] = {};
  for (const port of records(c['ports'])) setDefault(port, 'protocol', 'TCP');
  for (const key of PROBE_KEYS) defaultProbe(c[key]);
  const lifecycle = rec(c['lifecycle']);
  if (lifecycle) {
    for (const hook of ['postStart', 'preStop']) defaultHttpGet(rec(lifecycle[hook])?.['httpGet']);
  }
  for (const env of records(c['env'])) {
    const valueFrom = rec(env['valueFrom']);
    if (valueFrom) defaultFieldSelectors(valueFrom);
  }
}

const VOLUME_SOURCE_KEYS = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

/** The volume source keys a volume sets, in upstream's order. */
export function volumeSources(v: JsonRecord): string[] {
  return VOLUME_SOURCE_KEYS.filter((k) => v[k] !== undefined && v[k] !== null);
}

/** SetDefaults_Volume and the defaults of the individual volume sources. */
export function defaultVolume(v: JsonRecord): void {
  if (volumeSources(v).length === 0) v['emptyDir'] = {};
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = rec(v[key]);
    if (src) defaultPointer(src, 'defaultMode', DEFAULT_VOLUME_FILE_MODE);
  }
  for (const item of records(rec(v['downwardAPI'])?.['items'])) defaultFieldSelectors(item);
  const hostPath = rec(v['hostPath']);
  if (hostPath) defaultPointer(hostPath, 'type', '');
  for (const source of records(rec(v['projected'])?.['sources'])) {
    const token = rec(source['serviceAccountToken']);
    if (token) defaultPointer(token, 'expirationSeconds', DEFAULT_TOKEN_EXPIRATION_SECONDS);
    for (const item of records(rec(source['downwardAPI'])?.['items'])) defaultFieldSelectors(item);
  }
  const claimSpec = rec(rec(rec(v['ephemeral'])?.['volumeClaimTemplate'])?.['spec']);
  if (claimSpec) defaultPointer(claimSpec, 'volumeMode', 'Filesystem');
  const image = rec(v['image']);
  if (image && !str(image['pullPolicy'])) image['pullPolicy'] = defaultImagePullPolicy(str(image['reference']));
}

/** SetDefaults_PodSpec plus the defaults of every container and volume in it. */
export function defaultPodSpec(spec: JsonRecord): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isRecord(spec['securityContext'])) spec['securityContext'] = {};
  defaultPointer(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  setDefault(spec, 'schedulerName', DEFAULT_SCHEDULER_NAME);
  // v1 conversion keeps the deprecated serviceAccount mirror of serviceAccountName.
  const sa = str(spec['serviceAccountName']) || str(spec['serviceAccount']);
  if (sa) {
    spec['serviceAccountName'] = sa;
    spec['serviceAccount'] = sa;
  }
  for (const key of CONTAINER_LIST_KEYS) for (const c of records(spec[key])) defaultContainer(c);
  for (const v of records(spec['volumes'])) defaultVolume(v);
}

/**
 * Defaults of a PodTemplateSpec in place: `metadata` (with the
 * `creationTimestamp: null` Go writes for the zero time) and the pod spec.
 * Creates `spec` when missing so that validation reports on real fields.
 */
export function defaultPodTemplateSpec(template: JsonRecord): void {
  const meta = ensureRecord(template, 'metadata');
  if (!('creationTimestamp' in meta)) meta['creationTimestamp'] = null;
  defaultPodSpec(ensureRecord(template, 'spec'));
}

/** Defaults the `spec.template` of a workload object, creating it when absent. */
export function defaultWorkloadTemplate(workloadSpec: JsonRecord): void {
  defaultPodTemplateSpec(ensureRecord(workloadSpec, 'template'));
}
