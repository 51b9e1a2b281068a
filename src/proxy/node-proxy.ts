/**
 * The service proxy as a node agent runs it (kube-proxy next to the kubelet): one
 * ProxyServer for the node, its dataplane chosen by mode. With the rootless process
 * runtime, pods live on loopback twins of their IPs, so the proxy serves ClusterIP
 * a.b.c.d on 127.b.c.d, dials endpoints the same way and keeps NodePorts on loopback.
 */
import { KubeClient } from '../client/kube-client.js';
import type { ClientConfig } from '../client/kubeconfig.js';
import type { Logger } from '../log/logger.js';
import { createDataplane } from './create-dataplane.js';
import { ProxyServer } from './proxy-server.js';

export type NodeProxyMode = 'userspace' | 'nftables' | 'iptables';

export function isNodeProxyMode(v: string): v is NodeProxyMode {
  return v === 'userspace' || v === 'nftables' || v === 'iptables';
}

export interface NodeProxyOptions {
  readonly clientConfig: ClientConfig;
  readonly nodeName: string;
  readonly mode: NodeProxyMode;
  /** Pods are plain processes on loopback addresses (process runtime). */
  readonly rootless: boolean;
  readonly log: Logger;
  /** userspace: processes serving TCP (`--proxy-workers`, default 1). */
  readonly proxyWorkers?: number;
}

/** Runs until `signal` aborts; failures are logged, never thrown (the node keeps running). */
export async function runNodeProxy(opts: NodeProxyOptions, signal: AbortSignal): Promise<void> {
  const client = new KubeClient(opts.clientConfig, { component: 'kube-proxy' });
  try {
    const proxy = new ProxyServer({
      client,
      nodeName: opts.nodeName,
      dataplane: createDataplane({
        mode: opts.mode,
        log: opts.log,
        loopbackMapping: opts.rootless,
        loopbackEndpoints: opts.rootless,
        manageAddresses: !opts.rootless,
        ...(opts.proxyWorkers !== undefined ? { proxyWorkers: opts.proxyWorkers } : {}),
      }),
      ...(opts.rootless ? { nodePortAddresses: ['127.0.0.0/8'] } : {}),
      healthzBindAddress: opts.rootless ? '127.0.0.1:10256' : '0.0.0.0:10256',
      metricsBindAddress: '127.0.0.1:10249',
      log: opts.log,
    });
    await proxy.start();
    opts.log.info(`service proxy for node ${opts.nodeName}: ${opts.mode}${opts.rootless ? ' (loopback mapping)' : ''}`);
    await proxy.run(signal);
  } catch (e) {
    opts.log.error(`service proxy stopped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    client.close();
  }
}
