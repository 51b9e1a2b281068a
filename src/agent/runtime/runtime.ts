/**
 * The pod runtime seam (the CRI + CNI counterpart): gives a pod its network
 * identity and runs its containers as processes. Implementations:
 * `netns/` (root on Linux: a network namespace per pod, veth into the node
 * bridge, host-local IPAM) and `process/` (rootless or other OSes: plain
 * processes on loopback addresses). Both pass `runtime-conformance.ts`.
 */
import type { Readable } from 'node:stream';

/** What the runtime needs to know to set a pod's sandbox up. */
export interface SandboxSpec {
  /** Pod uid: the sandbox's identity (stable across agent restarts). */
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** Pod hostname (spec.hostname or the pod name). */
  readonly hostname: string;
  /** `hostname.subdomain.namespace.svc.<zone>` for pods with a subdomain, for /etc/hosts. */
  readonly fqdn?: string;
  /** Contents for the pod's /etc/resolv.conf (built by the agent from dnsPolicy/dnsConfig). */
  readonly resolvConf: string;
  /** spec.hostNetwork: share the node's network instead of getting an own IP. */
  readonly hostNetwork: boolean;
}

export interface Sandbox {
  readonly uid: string;
  /** The pod IP (status.podIP). */
  readonly ip: string;
  /**
   * Where the pod's processes listen and where the node dials the pod, when that differs from
   * `ip`: the rootless process runtime serves pod 10.244.1.5 on loopback 127.244.1.5 (the
   * userspace proxy maps endpoint addresses the same way). Undefined: use `ip`.
   */
  readonly localIp?: string;
  /** For netns runtimes, the namespace name (e.g. `sy-pod-<uid8>`); undefined for plain processes. */
  readonly netns?: string;
  /** Folder holding the pod's etc files (hosts, resolv.conf, hostname) and logs. */
  readonly dir: string;
}

export interface ContainerSpec {
  readonly name: string;
  /** argv[0] and arguments, already resolved (command+args, $(VAR) expanded, image mapping applied). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  /** Allocate a TTY (spec.tty) — processes get a pty where supported. */
  readonly tty?: boolean;
  readonly stdin?: boolean;
}

export interface ExitInfo {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** upstream reason: Completed (exit 0) / Error / OOMKilled / ContainerCannotRun ... */
  readonly reason: string;
}

export interface ContainerHandle {
  readonly pid: number;
  readonly startedAt: Date;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Send a signal to the container's process (group). */
  kill(signal: NodeJS.Signals): void;
  /** Path of the log file (kubelet CRI log format lines: `<RFC3339Nano> stdout|stderr F <text>`). */
  readonly logPath: string;
}

export interface ExecOptions {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly tty: boolean;
  readonly stdin?: Readable;
  /** Terminal size changes (rows, cols) for TTY sessions. */
  readonly onResize?: (listener: (size: { rows: number; cols: number }) => void) => void;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number;
}

export interface Runtime {
  /** Human name for logs, e.g. `netns (bridge cbr0, 10.244.1.0/24)` or `process (loopback)`. */
  readonly description: string;

  /** Create (or adopt, after an agent restart) the pod's sandbox. Idempotent per uid. */
  createSandbox(spec: SandboxSpec): Promise<Sandbox>;

  /** Tear the sandbox down: processes killed, namespace/veth/IP released. Idempotent. */
  removeSandbox(uid: string): Promise<void>;

  /** Sandboxes that exist (for garbage collection of pods deleted while the agent was down). */
  listSandboxes(): Promise<string[]>;

  /** Start a container process inside the sandbox; its stdout/stderr go to the log file. */
  startContainer(sandbox: Sandbox, container: ContainerSpec, attempt: number): Promise<ContainerHandle>;

  /**
   * Run a command in the sandbox's network (and for exec: with the container's env), for
   * exec probes and `kubectl exec`. Output goes to the given streams.
   */
  exec(sandbox: Sandbox, opts: ExecOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<ExecResult>;

  /** Open a TCP connection to a port of the pod (probes, port-forward). */
  connect(sandbox: Sandbox, port: number): Promise<import('node:net').Socket>;

  close(): Promise<void>;
}
