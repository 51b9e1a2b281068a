/**
 * The node agent (kubelet's counterpart): registers its Node, keeps the node Lease
 * `kube-node-lease/<node>` fresh (every 10 s, 40 s duration) and the node status current,
 * waits for the node IPAM controller to assign `spec.podCIDR`, then runs the pods bound to the
 * node (one PodWorker per pod uid, fed by an informer on `spec.nodeName=<node>`). At start it
 * removes sandboxes of pods that no longer exist (deleted while the agent was down). It serves
 * container logs on its HTTPS endpoint (see log-server.ts).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../api/object.js';
import type { KubeObject } from '../api/object.js';
import { sleep } from '../client/clock.js';
import { Informer } from '../client/informer.js';
import { type KubeClient, isAlreadyExists, isConflict, isNotFound } from '../client/kube-client.js';
import { microTime } from '../client/leader-election.js';
import type { Logger } from '../log/logger.js';
import { RestartBackoff } from './backoff.js';
import { KubeletEventRecorder } from './events.js';
import { whichOnPath } from './images.js';
import { type LogLocation, LogServer } from './log-server.js';
import { readMachineInfo } from './machine-info.js';
import { type MachineInfo, type NodeCondition, type NodeIdentity, nodeObject, nodeLabels, nodeStatus, statusFingerprint } from './node-status.js';
import { PodWorker, type PodWorkerContext } from './pod-worker.js';
import type { Pod, Service } from './pod-types.js';
import { parseResolvConf } from './resolv-conf.js';
import { LEASES, NODES, PODS, SERVICES } from './resources.js';
import type { Runtime, Sandbox } from './runtime/runtime.js';
import { ProcessRuntime } from './runtime/process/process-runtime.js';
import { loadOrCreateServingCert } from './serving-cert.js';
import { parseQuantity } from '../apiserver/registry/quantity.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecTargetRef, type ExecTargetResult, handleExecUpgrade } from './streaming/exec-handler.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_S = 40;
const LEASE_RENEW_MS = 10_000;
const NODE_STATUS_UPDATE_MS = 10_000;
/** Write the node status at least this often even when nothing changed (kubelet's report frequency). */
const NODE_STATUS_REPORT_MS = 5 * 60_000;

export type RuntimeFactory = (podCIDR: string, nodeIP: string) => Promise<Runtime>;

export interface NodeAgentOptions {
  readonly client: KubeClient;
  readonly nodeName: string;
  /** The node's InternalIP; also where the agent endpoint listens unless kubeletBindAddress is set. */
  readonly nodeIP: string;
  readonly zone?: string;
  readonly region?: string;
  readonly roles?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** Folder for sandboxes, certificates and state. */
  readonly dataDir: string;
  /** `process` (rootless) or a factory for another runtime (netns). */
  readonly runtime: 'process' | RuntimeFactory;
  readonly clusterDNS: readonly string[];
  readonly clusterDomain: string;
  /** Agent HTTPS port (default 10250; 0 = any free port). */
  readonly kubeletPort?: number;
  readonly kubeletBindAddress?: string;
  /** Use a free port when kubeletPort is taken (embedded agent). */
  readonly fallbackToFreePort?: boolean;
  /** Cluster CA: client certificates it signed may read logs (the API server's). */
  readonly clientCaPem?: string;
  /** Bearer tokens accepted on the agent endpoint (the join token). */
  readonly bearerTokens?: readonly string[];
  /** argv prefix running this CLI, for built-in images (default: this installation's main.js). */
  readonly selfCommand?: readonly string[];
  /** The node's resolver config for dnsPolicy Default (default /etc/resolv.conf). */
  readonly resolvConfPath?: string;
  readonly log: Logger;
  /** More handlers on the agent endpoint (exec / port-forward). */
  readonly extraHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** [node, <this installation's CLI>]: dist/src/cli/main.js when compiled, else main.ts through tsx. */
export function defaultSelfCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return [process.execPath, join(here, '..', '..', 'cli', 'main.js')];
  // Resolved here: pods may run with another working directory (the netns runtime uses /), where
  // a bare `tsx` would not be found.
  let tsx = 'tsx';
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    // keep the bare name
  }
  return [process.execPath, '--import', tsx, join(here, '..', '..', 'cli', 'main.ts')];
}

function podCIDROf(node: KubeObject | undefined): string {
  const spec = isRecord(node?.spec) ? node.spec : {};
  if (typeof spec.podCIDR === 'string' && spec.podCIDR) return spec.podCIDR;
  const list = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
  const v4 = list.find((c): c is string => typeof c === 'string' && !c.includes(':'));
  return v4 ?? '';
}

export class NodeAgent {
  private readonly abort = new AbortController();
  private readonly workers = new Map<string, PodWorker>();
  /** Uids whose worker has finished (the pod object may linger briefly). */
  private readonly finished = new Set<string>();
  private readonly machine: MachineInfo;
  private readonly identity: { -readonly [K in keyof NodeIdentity]: NodeIdentity[K] };
  private readonly events: KubeletEventRecorder;
  private logServer: LogServer | undefined;
  private runtime: Runtime | undefined;
  private pods: Informer<Pod> | undefined;
  private services: Informer<Service> | undefined;
  private loops: Promise<void>[] = [];
  private nodeUid = '';
  private podCIDR = '';

  constructor(private readonly opts: NodeAgentOptions) {
    this.machine = readMachineInfo(opts.dataDir);
    this.identity = {
      name: opts.nodeName,
      internalIP: opts.nodeIP,
      kubeletPort: opts.kubeletPort ?? 10250,
      zone: opts.zone,
      region: opts.region,
      roles: opts.roles,
      labels: opts.labels,
    };
    this.events = new KubeletEventRecorder(opts.client, opts.nodeName, opts.log);
  }

  get nodeName(): string {
    return this.opts.nodeName;
  }

  /** The node's pod CIDR (after start). */
  get cidr(): string {
    return this.podCIDR;
  }

  /** The HTTPS port the agent endpoint listens on (after start). */
  get kubeletPort(): number {
    return this.identity.kubeletPort;
  }

  /** Registers the node, waits for its pod CIDR and starts running pods. Resolves once pods are being served. */
  async start(): Promise<void> {
    const { opts } = this;
    const log = opts.log;
    const cert = loadOrCreateServingCert(join(opts.dataDir, 'tls'), opts.nodeName, [opts.nodeIP]);
    this.logServer = new LogServer({
      bindAddress: opts.kubeletBindAddress ?? opts.nodeIP,
      port: opts.kubeletPort ?? 10250,
      fallbackToFreePort: opts.fallbackToFreePort,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      clientCaPem: opts.clientCaPem,
      bearerTokens: opts.bearerTokens,
      source: { locate: (ns, pod, c) => this.locateLogs(ns, pod, c) },
      log,
      extraHandler: opts.extraHandler,
    });
    this.identity.kubeletPort = await this.logServer.listen();
    this.logServer.httpsServer?.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const ok = handleExecUpgrade(req, socket, head, (ref) => this.resolveExec(ref), {
        authorize: (r, s) => this.logServer?.authorize(r, s) ?? false,
        log: (m) => log.debug(m),
      });
      if (!ok) socket.destroy();
    });
    log.info(`agent endpoint on https://${opts.kubeletBindAddress ?? opts.nodeIP}:${this.identity.kubeletPort}`);

    await this.register();
    this.loops.push(this.leaseLoop(), this.nodeStatusLoop());
    this.podCIDR = await this.waitForPodCIDR();
    log.info(`node ${opts.nodeName}: pod CIDR ${this.podCIDR}`);
    this.runtime = opts.runtime === 'process' ? new ProcessRuntime({ dataDir: opts.dataDir, podCIDR: this.podCIDR, nodeIP: opts.nodeIP, log: log.child('runtime') }) : await opts.runtime(this.podCIDR, opts.nodeIP);
    log.info(`runtime: ${this.runtime.description}`);

    this.services = new Informer<Service>({ client: opts.client, resource: SERVICES, log });
    this.pods = new Informer<Pod>({ client: opts.client, resource: PODS, fieldSelector: `spec.nodeName=${opts.nodeName}`, log });
    void this.services.run(this.abort.signal);
    void this.pods.run(this.abort.signal);
    if (!(await this.services.waitForSync(this.abort.signal)) || !(await this.pods.waitForSync(this.abort.signal))) return;
    await this.collectGarbage();
    this.pods.addEventHandler({
      onAdd: (p) => this.podSeen(p),
      onUpdate: (_o, p) => this.podSeen(p),
      onDelete: (p) => this.workers.get(p.metadata.uid ?? '')?.removed(),
    });
  }

  /** Stops the agent: pods' processes are stopped (their objects stay; a restarted agent resumes them). */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.workers.values()].map((w) => w.shutdown()));
    await Promise.allSettled(this.loops);
    await this.runtime?.close();
    await this.logServer?.close();
    await this.events.flush();
  }

  private workerContext(): PodWorkerContext {
    const runtime = this.runtime;
    if (!runtime) throw new Error('runtime not started');
    const alloc = nodeStatus(this.identity, this.machine, [], 0).allocatable as Record<string, string>;
    return {
      client: this.opts.client,
      runtime,
      events: this.events,
      log: this.opts.log,
      nodeName: this.opts.nodeName,
      hostIPs: [this.opts.nodeIP],
      clusterDNS: this.opts.clusterDNS,
      clusterDomain: this.opts.clusterDomain,
      hostDns: parseResolvConf(readResolvConf(this.opts.resolvConfPath ?? '/etc/resolv.conf')),
      nodeAllocatable: {
        cpu: parseQuantity(alloc.cpu) ?? 1,
        memory: parseQuantity(alloc.memory) ?? 0,
        ephemeralStorage: parseQuantity(alloc['ephemeral-storage']) ?? 0,
      },
      images: { selfCommand: this.opts.selfCommand ?? defaultSelfCommand(), which: (n) => whichOnPath(n) },
      crashBackoff: this.crashBackoff,
      imageBackoff: this.imageBackoff,
      services: () => this.services?.list() ?? [],
    };
  }

  private readonly crashBackoff = new RestartBackoff();
  private readonly imageBackoff = new RestartBackoff();
  private ctx: PodWorkerContext | undefined;

  private podSeen(pod: Pod): void {
    if (this.abort.signal.aborted) return;
    const uid = pod.metadata.uid ?? '';
    if (!uid || this.finished.has(uid)) return;
    const existing = this.workers.get(uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    this.ctx ??= this.workerContext();
    const w = new PodWorker(this.ctx, pod);
    this.workers.set(uid, w);
    void w.done.then(() => {
      if (this.abort.signal.aborted) return;
      this.workers.delete(uid);
      this.finished.add(uid);
      if (this.finished.size > 10_000) this.finished.clear();
    });
  }

  /** Removes sandboxes whose pod is gone (deleted while the agent was down). */
  private async collectGarbage(): Promise<void> {
    const runtime = this.runtime;
    if (!runtime || !this.pods) return;
    const live = new Set(this.pods.list().map((p) => p.metadata.uid ?? ''));
    for (const uid of await runtime.listSandboxes()) {
      if (live.has(uid)) continue;
      this.opts.log.info(`removing the sandbox of pod ${uid}, which no longer exists`);
      try {
        await runtime.removeSandbox(uid);
      } catch (err) {
        this.opts.log.warn(`sandbox ${uid}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  // ---- logs and exec ----

  private podByName(ns: string, name: string): { pod: Pod; worker: PodWorker | undefined } | undefined {
    const pod = this.pods?.get(ns, name);
    if (!pod) return undefined;
    return { pod, worker: this.workers.get(pod.metadata.uid ?? '') };
  }

  private locateLogs(ns: string, name: string, container: string): LogLocation {
    const found = this.podByName(ns, name);
    if (!found) return { ok: false, code: 404, message: `pod "${name}" in namespace "${ns}" not found on node ${this.opts.nodeName}` };
    const dir = found.worker?.logDir(container);
    if (!dir) return { ok: false, code: 404, message: `container "${container}" in pod "${name}" not found` };
    const worker = found.worker;
    return { ok: true, dir, isRunning: () => worker?.isRunning(container) ?? false };
  }

  /**
   * What `kubectl exec` needs for a container: the runtime, the pod's sandbox and the
   * container's environment. Undefined when the pod or container is unknown on this node.
   */
  async execTarget(ns: string, pod: string, container: string): Promise<{ runtime: Runtime; sandbox: Sandbox; env: Record<string, string> } | undefined> {
    const found = this.podByName(ns, pod);
    const sandbox = found?.worker?.sandbox;
    if (!found?.worker || !sandbox || !this.runtime) return undefined;
    const env = await found.worker.execEnvironment(container);
    if (!env) return undefined;
    return { runtime: this.runtime, sandbox, env };
  }

  private async resolveExec(ref: ExecTargetRef): Promise<ExecTargetResult> {
    const found = this.podByName(ref.namespace, ref.pod);
    if (!found || (ref.uid && found.pod.metadata.uid !== ref.uid)) return { ok: false, status: 404, message: 'pod does not exist' };
    const target = await this.execTarget(ref.namespace, ref.pod, ref.container);
    if (!target) return { ok: false, status: 404, message: `container not found ("${ref.container}")` };
    return { ok: true, ...target };
  }

  // ---- node registration, lease, status ----

  private async register(): Promise<void> {
    const { client, log } = this.opts;
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      try {
        let node: KubeObject;
        try {
          node = await client.create(NODES, undefined, nodeObject(this.identity, this.machine, Date.now()), { fieldManager: 'kubelet' });
          log.info(`registered node ${this.opts.nodeName}`);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          // Re-registration: keep the object (and its pod CIDR), refresh our labels.
          node = await client.patch(NODES, undefined, this.opts.nodeName, { metadata: { labels: nodeLabels(this.identity, this.machine) } }, 'merge', { fieldManager: 'kubelet' });
          log.info(`node ${this.opts.nodeName} already registered; updated it`);
        }
        this.nodeUid = node.metadata.uid ?? '';
        await this.writeNodeStatus(node);
        return;
      } catch (err) {
        log.warn(`node registration failed: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(Math.min(7000, 500 * 2 ** attempt), this.abort.signal);
      }
    }
  }

  private lastStatusWrite = 0;
  private lastStatusFingerprint = '';

  private async writeNodeStatus(current: KubeObject): Promise<void> {
    const prev = isRecord(current.status) && Array.isArray(current.status.conditions) ? (current.status.conditions as NodeCondition[]) : [];
    const status = nodeStatus(this.identity, this.machine, prev, Date.now());
    const fp = statusFingerprint(status);
    const apiFp = isRecord(current.status) ? statusFingerprint(current.status) : '';
    if (fp === this.lastStatusFingerprint && fp === apiFp && Date.now() - this.lastStatusWrite < NODE_STATUS_REPORT_MS) return;
    await this.opts.client.patch(NODES, undefined, this.opts.nodeName, { status }, 'merge', { subresource: 'status', fieldManager: 'kubelet' });
    this.lastStatusWrite = Date.now();
    this.lastStatusFingerprint = fp;
  }

  private async nodeStatusLoop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await sleep(NODE_STATUS_UPDATE_MS, this.abort.signal);
      if (this.abort.signal.aborted) return;
      try {
        const node = await this.opts.client.get(NODES, undefined, this.opts.nodeName);
        await this.writeNodeStatus(node);
      } catch (err) {
        if (isNotFound(err)) {
          this.opts.log.warn(`node ${this.opts.nodeName} was deleted; registering again`);
          await this.register();
        } else this.opts.log.warn(`node status update failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private async renewLease(): Promise<void> {
    const { client } = this.opts;
    const name = this.opts.nodeName;
    const now = microTime(Date.now());
    try {
      const lease = await client.get(LEASES, NODE_LEASE_NAMESPACE, name);
      const spec = isRecord(lease.spec) ? lease.spec : {};
      await client.update(LEASES, NODE_LEASE_NAMESPACE, { ...lease, spec: { ...spec, holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: now } }, { fieldManager: 'kubelet' });
    } catch (err) {
      if (!isNotFound(err)) {
        if (isConflict(err)) return;
        throw err;
      }
      const lease: KubeObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: this.nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.nodeUid }] : undefined,
        },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: now },
      };
      if (!lease.metadata.ownerReferences) delete lease.metadata.ownerReferences;
      await client.create(LEASES, NODE_LEASE_NAMESPACE, lease, { fieldManager: 'kubelet' });
    }
  }

  private async leaseLoop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.renewLease();
      } catch (err) {
        this.opts.log.warn(`node lease renewal failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(LEASE_RENEW_MS, this.abort.signal);
    }
  }

  private async waitForPodCIDR(): Promise<string> {
    const started = Date.now();
    let warned = false;
    while (!this.abort.signal.aborted) {
      try {
        const cidr = podCIDROf(await this.opts.client.get(NODES, undefined, this.opts.nodeName));
        if (cidr) return cidr;
      } catch (err) {
        if (!isNotFound(err)) this.opts.log.warn(`reading node ${this.opts.nodeName}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!warned && Date.now() - started > 5000) {
        warned = true;
        this.opts.log.warn(`node ${this.opts.nodeName} has no spec.podCIDR yet; waiting for the node IPAM controller (is the controller manager running with --cluster-cidr?)`);
      }
      await sleep(300, this.abort.signal);
    }
    return '';
  }
}

function readResolvConf(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Starts a node agent (for `switchyard server`'s embedded agent and `switchyard agent`). */
export async function startNodeAgent(opts: NodeAgentOptions): Promise<{ agent: NodeAgent; stop(): Promise<void> }> {
  const agent = new NodeAgent(opts);
  await agent.start();
  return { agent, stop: () => agent.stop() };
}
