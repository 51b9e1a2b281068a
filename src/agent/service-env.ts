/**
 * Service environment variables (Docker-links style) as kubelet injects them into every
 * container: one block per Service with a ClusterIP in the pod's namespace (when
 * `enableServiceLinks` is not false), plus the `kubernetes` Service of `default`, which is
 * always there. A same-named Service in the pod's own namespace wins over the master one.
 */
import type { Service } from './pod-types.js';

/** The Services of `default` kubelet always exposes (upstream's "master services"). */
const MASTER_SERVICES = new Set(['kubernetes']);

/** `my-svc` → `MY_SVC` (upstream makeEnvVariableName). */
export function envVariableName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables of one Service, in kubelet's order; none for headless / ExternalName / port-less ones. */
export function serviceEnvVars(svc: Service): { name: string; value: string }[] {
  const ports = svc.spec?.ports ?? [];
  const ip = svc.spec?.clusterIP ?? '';
  const first = ports[0];
  if (!hasClusterIP(svc) || !first) return [];
  const prefix = envVariableName(svc.metadata.name ?? '');
  const out: { name: string; value: string }[] = [
    { name: `${prefix}_SERVICE_HOST`, value: ip },
    { name: `${prefix}_SERVICE_PORT`, value: String(first.port) },
  ];
  for (const p of ports) {
    if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envVariableName(p.name)}`, value: String(p.port) });
  }
  ports.forEach((p, i) => {
    const proto = (p.protocol || 'TCP').toLowerCase();
    const url = `${proto}://${joinHostPort(ip, p.port)}`;
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push({ name: pp, value: url }, { name: `${pp}_PROTO`, value: proto }, { name: `${pp}_PORT`, value: String(p.port) }, { name: `${pp}_ADDR`, value: ip });
  });
  return out;
}

/**
 * The service variables for a pod in `namespace`, from a list of Services of any namespaces
 * (kubelet's getServiceEnvVarMap + envvars.FromServices). Services are taken in name order so
 * the result is deterministic; names never collide across Services except by user design.
 */
export function serviceEnvForPod(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const name = svc.metadata.name ?? '';
    if (svc.metadata.namespace === 'default' && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata.namespace === namespace && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  const env = new Map<string, string>();
  for (const name of [...chosen.keys()].sort()) {
    const svc = chosen.get(name);
    if (svc) for (const v of serviceEnvVars(svc)) env.set(v.name, v.value);
  }
  return env;
}
