/**
 * The seam between the shared proxy logic and a way of forwarding packets.
 * Implementations: `userspace/` (Node.js sockets, portable, rootless), and the
 * kernel modes `nftables` / `iptables` (programmed from the same ProxyState).
 */
import type { CategorizedEndpoints } from './topology.js';
import type { EndpointInfo, Protocol, ServicePortInfo, ServicePortKey } from './types.js';

export const PROXY_MODES = ['userspace', 'nftables', 'iptables'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/** One Service port with its endpoints already categorized for this node. */
export interface ServicePortState {
  readonly info: ServicePortInfo;
  /** Every endpoint the slices list (de-duplicated, sorted). */
  readonly endpoints: readonly EndpointInfo[];
  readonly categorized: CategorizedEndpoints;
  /** What traffic to the cluster IPs goes to (internalTrafficPolicy applied). */
  readonly internalEndpoints: readonly EndpointInfo[];
  /** What traffic to NodePorts, external IPs and LB IPs goes to (externalTrafficPolicy applied). */
  readonly externalEndpoints: readonly EndpointInfo[];
}

/** Everything a dataplane programs, computed by the proxier after the first full sync. */
export interface ProxyState {
  readonly nodeName: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** Local addresses NodePorts (and health-check node ports) are served on. */
  readonly nodePortAddresses: readonly string[];
  readonly services: ReadonlyMap<ServicePortKey, ServicePortState>;
  /**
   * Service port keys that changed (added, updated, deleted, or endpoints changed)
   * since the last successful sync. Undefined means a full sync: reconcile everything.
   */
  readonly changed?: ReadonlySet<ServicePortKey>;
  /** Cluster IPs of removed UDP ports and `key|ip:port` of removed UDP endpoints (kernel modes flush conntrack). */
  readonly deletedUDPClusterIPs: ReadonlySet<string>;
  readonly deletedUDPEndpoints: ReadonlySet<string>;
}

export interface SyncFailure {
  readonly service: ServicePortKey;
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly error: string;
}

/**
 * Outcome of a sync. `ok` false means some of the state is not programmed; the
 * proxier then asks for a full sync soon (retry).
 */
export type SyncResult = { readonly ok: true } | { readonly ok: false; readonly failures: readonly SyncFailure[] };

export type FrontendKind = 'ClusterIP' | 'NodePort' | 'ExternalIP' | 'LoadBalancer';

/** One real server in the `ipvsadm -Ln` view. */
export interface RealServerStatus {
  readonly address: string;
  readonly port: number;
  /** Always Masq for Kubernetes Services (the proxy rewrites the destination). */
  readonly forward: 'Masq';
  readonly weight: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
}

/** One virtual service (protocol + address + port) in the `ipvsadm -Ln` view. */
export interface VirtualServiceStatus {
  readonly service: ServicePortKey;
  readonly kind: FrontendKind;
  readonly protocol: Protocol;
  /** The Kubernetes address (cluster IP, node address, external or LB IP). */
  readonly address: string;
  readonly port: number;
  /** Where the dataplane really listens, when it differs (userspace loopback mapping). */
  readonly localAddress?: string;
  readonly scheduler: string;
  /** ClientIP affinity timeout, shown as `persistent N`. */
  readonly persistentTimeoutSeconds?: number;
  readonly realServers: readonly RealServerStatus[];
}

export interface Dataplane {
  readonly mode: ProxyMode;
  /**
   * Programs `state`. With `state.changed` set, only those service ports need
   * to be looked at (partial sync); without it everything is reconciled.
   * Must be idempotent: the same state twice changes nothing. Never throws for
   * a single service that cannot be programmed; it reports it in the result.
   */
  sync(state: ProxyState): Promise<SyncResult>;
  /** The programmed virtual services with their real servers and connection counts, sorted. */
  status(): VirtualServiceStatus[];
  /** Removes everything this dataplane programmed and releases its resources. */
  close(): Promise<void>;
}
