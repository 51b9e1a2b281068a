/**
 * A container's environment as kubelet builds it (makeEnvironmentVariables): `envFrom`
 * sources first (later sources win, with their prefix), then `env` in order — plain values
 * are `$(VAR)`-expanded against what is defined so far and the service variables, `valueFrom`
 * values are taken as they are — and finally the service variables for names not yet set.
 * Command and args are expanded against the finished environment.
 *
 * Pure: ConfigMaps, Secrets and Services are looked up by the caller beforehand.
 */
import { parseQuantity } from '../apiserver/registry/quantity.js';
import { expand, lookupIn } from './expansion.js';
import type { Container, EnvVarSource, Pod } from './pod-types.js';

export interface ConfigMapData {
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}
export interface SecretData {
  /** base64 values, as the API serves them. */
  readonly data?: Readonly<Record<string, string>>;
}

export interface EnvInputs {
  readonly pod: Pod;
  readonly container: Container;
  /** ConfigMaps of the pod's namespace by name (absent: not found). */
  readonly configMaps: ReadonlyMap<string, ConfigMapData>;
  readonly secrets: ReadonlyMap<string, SecretData>;
  /** Service variables for the pod (serviceEnvForPod). */
  readonly serviceEnv: ReadonlyMap<string, string>;
  /** Values the downward API reads from the pod's status, which may not be written yet. */
  readonly podIP: string;
  readonly podIPs: readonly string[];
  readonly hostIP: string;
  readonly hostIPs: readonly string[];
  /** Node allocatable, the default for unset limits (cpu in cores, memory/storage in bytes). */
  readonly nodeAllocatable: { readonly cpu: number; readonly memory: number; readonly ephemeralStorage: number };
}

export type EnvResult =
  | { readonly ok: true; readonly env: Map<string, string> }
  /** Upstream shows these as waiting reason CreateContainerConfigError with the message. */
  | { readonly ok: false; readonly message: string };

class EnvError extends Error {}

/** The referenced ConfigMap and Secret names (for prefetching). */
export function referencedObjects(c: Container): { configMaps: string[]; secrets: string[] } {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) cms.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) cms.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...cms], secrets: [...secrets] };
}

function configMapValues(cm: ConfigMapData): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  return out;
}

function secretValues(s: SecretData): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  return out;
}

/** `metadata.labels['key']` → key, for the subscripted downward-API paths. */
function subscript(path: string, field: string): string | undefined {
  const m = new RegExp(`^${field.replace('.', '\\.')}\\[['"](.+)['"]\\]$`).exec(path);
  return m?.[1];
}

/** Upstream podFieldSelectorRuntimeValue. */
export function podFieldValue(path: string, inputs: Pick<EnvInputs, 'pod' | 'podIP' | 'podIPs' | 'hostIP' | 'hostIPs'>): string {
  const { pod } = inputs;
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return inputs.hostIP;
    case 'status.hostIPs':
      return inputs.hostIPs.join(',');
    case 'status.podIP':
      return inputs.podIP;
    case 'status.podIPs':
      return inputs.podIPs.join(',');
  }
  const label = subscript(path, 'metadata.labels');
  if (label !== undefined) return pod.metadata.labels?.[label] ?? '';
  const annotation = subscript(path, 'metadata.annotations');
  if (annotation !== undefined) return pod.metadata.annotations?.[annotation] ?? '';
  throw new EnvError(`unsupported fieldPath: ${path}`);
}

/** Upstream containerResourceRuntimeValue: ceil(value / divisor); unset limits default to node allocatable. */
export function resourceFieldValue(ref: NonNullable<EnvVarSource['resourceFieldRef']>, inputs: EnvInputs): string {
  const target = ref.containerName ? [...(inputs.pod.spec?.containers ?? []), ...(inputs.pod.spec?.initContainers ?? [])].find((c) => c.name === ref.containerName) : inputs.container;
  if (!target) throw new EnvError(`container ${ref.containerName ?? ''} not found`);
  const resource = ref.resource ?? '';
  const [kind, name] = resource.split('.', 2) as [string, string | undefined];
  const alloc: Record<string, number> = { cpu: inputs.nodeAllocatable.cpu, memory: inputs.nodeAllocatable.memory, 'ephemeral-storage': inputs.nodeAllocatable.ephemeralStorage };
  if ((kind !== 'limits' && kind !== 'requests') || !name || !(name in alloc)) throw new EnvError(`unsupported container resource : ${resource}`);
  const list = kind === 'limits' ? target.resources?.limits : target.resources?.requests;
  let value = parseQuantity(list?.[name]);
  if (value === undefined) value = kind === 'limits' ? (alloc[name] ?? 0) : 0;
  const divisor = parseQuantity(ref.divisor ?? 1) || 1;
  if (name === 'cpu') {
    // Upstream works in millicores: ceil(milli(value) / milli(divisor)).
    return String(Math.ceil(Math.round(value * 1000) / Math.round(divisor * 1000)));
  }
  return String(Math.ceil(value / divisor));
}

function fromSource(src: EnvVarSource, inputs: EnvInputs): string | undefined {
  const ns = inputs.pod.metadata.namespace ?? '';
  if (src.fieldRef) return podFieldValue(src.fieldRef.fieldPath ?? '', inputs);
  if (src.resourceFieldRef) return resourceFieldValue(src.resourceFieldRef, inputs);
  if (src.configMapKeyRef) {
    const { name = '', key = '', optional = false } = src.configMapKeyRef;
    const cm = inputs.configMaps.get(name);
    if (!cm) {
      if (optional) return undefined;
      throw new EnvError(`configmap "${name}" not found`);
    }
    const v = configMapValues(cm).get(key);
    if (v === undefined) {
      if (optional) return undefined;
      throw new EnvError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return v;
  }
  if (src.secretKeyRef) {
    const { name = '', key = '', optional = false } = src.secretKeyRef;
    const s = inputs.secrets.get(name);
    if (!s) {
      if (optional) return undefined;
      throw new EnvError(`secret "${name}" not found`);
    }
    const v = secretValues(s).get(key);
    if (v === undefined) {
      if (optional) return undefined;
      throw new EnvError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return v;
  }
  return '';
}

/** The container's environment (a Map in definition order), or the reason it cannot be built. */
export function containerEnv(inputs: EnvInputs): EnvResult {
  try {
    const env = new Map<string, string>();
    for (const f of inputs.container.envFrom ?? []) {
      const prefix = f.prefix ?? '';
      let values: Map<string, string> | undefined;
      if (f.configMapRef) {
        const name = f.configMapRef.name ?? '';
        const cm = inputs.configMaps.get(name);
        if (!cm && !f.configMapRef.optional) throw new EnvError(`configmap "${name}" not found`);
        values = cm ? configMapValues(cm) : undefined;
      } else if (f.secretRef) {
        const name = f.secretRef.name ?? '';
        const s = inputs.secrets.get(name);
        if (!s && !f.secretRef.optional) throw new EnvError(`secret "${name}" not found`);
        values = s ? secretValues(s) : undefined;
      }
      for (const [k, v] of values ?? []) env.set(prefix + k, v);
    }
    const service = new Map(inputs.serviceEnv);
    const lookup = lookupIn(env, service);
    for (const e of inputs.container.env ?? []) {
      let value: string | undefined;
      if (e.value !== undefined && e.value !== '') value = expand(e.value, lookup);
      else if (e.valueFrom) value = fromSource(e.valueFrom, inputs);
      else value = '';
      // An optional reference that resolves to nothing leaves the variable out, as upstream does.
      if (value === undefined) continue;
      service.delete(e.name);
      env.delete(e.name); // re-insert so a redefinition moves to its new position
      env.set(e.name, value);
    }
    for (const [k, v] of service) if (!env.has(k)) env.set(k, v);
    return { ok: true, env };
  } catch (err) {
    if (err instanceof EnvError) return { ok: false, message: err.message };
    throw err;
  }
}

/** Upstream ExpandContainerCommandAndArgs: `$(VAR)` in command and args against the final environment. */
export function expandCommand(container: Container, env: ReadonlyMap<string, string>): { command: string[]; args: string[] } {
  const lookup = lookupIn(env);
  return {
    command: (container.command ?? []).map((s) => expand(s, lookup)),
    args: (container.args ?? []).map((s) => expand(s, lookup)),
  };
}
