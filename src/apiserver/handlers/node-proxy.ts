/**
 * Pod subresources served by the node agent (kubelet counterpart), proxied by
 * the API server as kube-apiserver does: `pods/log` → the agent's
 * `/containerLogs/{ns}/{pod}/{container}`. The API server authenticates to the
 * agent with its admin client certificate (signed by the cluster CA, which the
 * agent trusts).
 */
import { request as httpsRequest } from 'node:https';
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import * as errors from '../status.js';
import type { HandlerContext, ResourceRoute } from './resource-handler.js';

export interface KubeletClientConfig {
  readonly certPem: string;
  readonly keyPem: string;
}

interface ContainerLike {
  name?: string;
}

/** The agent's address and port from the Node object (InternalIP + daemonEndpoints). */
export function kubeletEndpoint(node: KubeObject): { host: string; port: number } | undefined {
  const status = (isRecord(node.status) ? node.status : {}) as {
    addresses?: { type?: string; address?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
  const addrs = status.addresses ?? [];
  const host = addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'Hostname')?.address;
  if (!host || !port) return undefined;
  return { host, port };
}

/** Which container a log request is for: the named one, or the only one (upstream message otherwise). */
export function pickContainer(pod: KubeObject, requested: string | null): string {
  const spec = (isRecord(pod.spec) ? pod.spec : {}) as { containers?: ContainerLike[]; initContainers?: ContainerLike[]; ephemeralContainers?: ContainerLike[] };
  const containers = (spec.containers ?? []).map((c) => c.name ?? '');
  const all = [...containers, ...(spec.initContainers ?? []).map((c) => c.name ?? ''), ...(spec.ephemeralContainers ?? []).map((c) => c.name ?? '')];
  const name = pod.metadata.name ?? '';
  if (requested) {
    if (!all.includes(requested)) {
      throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    }
    return requested;
  }
  if (containers.length === 1) return containers[0] ?? '';
  throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
}

const LOG_QUERY_PARAMS = ['follow', 'previous', 'tailLines', 'timestamps', 'sinceSeconds', 'sinceTime', 'limitBytes'] as const;

export async function proxyPodLog(
  ctx: HandlerContext,
  route: ResourceRoute,
  getNode: (name: string) => Promise<KubeObject>,
  kubelet: KubeletClientConfig | undefined,
): Promise<void> {
  const pod = await route.store.get(route.namespace, route.name ?? '');
  const container = pickContainer(pod, ctx.url.searchParams.get('container'));
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) {
    throw errors.badRequest(`container "${container}" in pod "${pod.metadata.name ?? ''}" is waiting to start: ContainerCreating`);
  }
  if (!kubelet) throw errors.serviceUnavailable('this server has no kubelet client configured');
  const node = await getNode(nodeName);
  const ep = kubeletEndpoint(node);
  if (!ep) throw errors.badRequest(`node ${nodeName} has no kubelet endpoint (is its agent running?)`);
  const query = new URLSearchParams();
  for (const p of LOG_QUERY_PARAMS) {
    const v = ctx.url.searchParams.get(p);
    if (v !== null) query.set(p, v);
  }
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  const path = `/containerLogs/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name ?? '')}/${encodeURIComponent(container)}?${query.toString()}`;
  await new Promise<void>((resolve, reject) => {
    const upstream = httpsRequest(
      `https://${host}:${ep.port}${path}`,
      // Like kube-apiserver without --kubelet-certificate-authority, the agent's (self-signed)
      // serving certificate is not verified; the agent verifies our client certificate.
      { cert: kubelet.certPem, key: kubelet.keyPem, rejectUnauthorized: false },
      (r) => {
        const headers: Record<string, string> = { 'Content-Type': r.headers['content-type'] ?? 'text/plain' };
        ctx.res.writeHead(r.statusCode ?? 502, headers);
        ctx.res.flushHeaders();
        r.pipe(ctx.res);
        r.on('end', resolve);
        r.on('error', reject);
      },
    );
    upstream.on('error', (e) => reject(errors.serviceUnavailable(`error trying to reach the node agent of ${nodeName}: ${e.message}`)));
    ctx.req.on('close', () => upstream.destroy());
    upstream.end();
  });
}
