/**
 * One worker per pod uid (kubelet's pod worker + container lifecycle): sets the sandbox up,
 * runs init containers one after another and then the app containers, restarts them per
 * restartPolicy with kubelet's back-off, runs probes and lifecycle hooks, reports status
 * through the status subresource (only when it changed), and on deletion stops everything
 * within the grace period, then deletes the pod object (gracePeriodSeconds=0).
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '../client/clock.js';
import type { KubeClient } from '../client/kube-client.js';
import { isNotFound } from '../client/kube-client.js';
import { cloneJson } from '../api/object.js';
import type { Logger } from '../log/logger.js';
import { type RestartBackoff, formatGoDuration } from './backoff.js';
import { type ConfigMapData, type SecretData, containerEnv, expandCommand, referencedObjects } from './container-env.js';
import { type EventSink, type EventType, containerFieldPath } from './events.js';
import { type ImageContext, resolveProgram } from './images.js';
import { type ProbeKind, ProbeLoop, runProbe } from './probes.js';
import { computePodStatus } from './pod-status.js';
import type { Container, ContainerState, ContainerStatus, LifecycleHandler, Pod, PodStatus, Service } from './pod-types.js';
import { rfc3339 } from './pod-types.js';
import { type DnsSettings, formatResolvConf, podDnsSettings } from './resolv-conf.js';
import { CONFIGMAPS, PODS, SECRETS } from './resources.js';
import type { ContainerHandle, ExitInfo, Runtime, Sandbox } from './runtime/runtime.js';
import { serviceEnvForPod } from './service-env.js';

export interface PodWorkerContext {
  readonly client: KubeClient;
  readonly runtime: Runtime;
  readonly events: EventSink;
  readonly log: Logger;
  readonly nodeName: string;
  readonly hostIPs: readonly string[];
  readonly clusterDNS: readonly string[];
  readonly clusterDomain: string;
  readonly hostDns: DnsSettings;
  readonly nodeAllocatable: { readonly cpu: number; readonly memory: number; readonly ephemeralStorage: number };
  readonly images: ImageContext;
  readonly crashBackoff: RestartBackoff;
  readonly imageBackoff: RestartBackoff;
  /** Services of all namespaces (from the agent's informer). */
  services(): readonly Service[];
  /** Length of a probe/backoff "second" (tests shorten it). Default 1000. */
  readonly secondMs?: number;
}

/** The grace period (s) kubelet allows at least once a preStop hook has run. */
const MIN_GRACE_AFTER_HOOK_S = 2;
/** Retry delay for container configuration errors (missing ConfigMap, ...). */
const CONFIG_RETRY_MS = 5_000;

function podKey(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

function terminatedFrom(exit: ExitInfo, containerID: string): ContainerState {
  return {
    terminated: {
      exitCode: exit.exitCode ?? 0,
      reason: exit.reason,
      startedAt: rfc3339(exit.startedAt.getTime()),
      finishedAt: rfc3339(exit.finishedAt.getTime()),
      containerID,
    },
  };
}

class ContainerRunner {
  status: ContainerStatus;
  handle: ContainerHandle | undefined;
  /** No more starts (pod terminating, or the container is done for good). */
  stopping = false;
  /** The container will not run again; `succeeded` tells how it ended. */
  finished = false;
  succeeded = false;
  private probes = new Map<ProbeKind, ProbeLoop>();
  private readonly stopSleep = new AbortController();
  private killDeadline = 0;
  private killTimer: NodeJS.Timeout | undefined;
  private runningImage = '';
  /** Environment the current process started with: `kubectl exec` sees this, as with a real container. */
  startedEnv: Record<string, string> | undefined;
  /** Set when a restart is forced (liveness, spec change); the exit then always restarts. */
  private forcedRestart = false;
  private attempt: number;

  constructor(
    private readonly w: PodWorker,
    public spec: Container,
    readonly init: boolean,
    prior: ContainerStatus | undefined,
  ) {
    const image = spec.image ?? '';
    this.status = { name: spec.name, state: { waiting: { reason: w.defaultWaitingReason() } }, lastState: {}, ready: false, restartCount: 0, image, imageID: '', started: false };
    this.attempt = 0;
    if (prior) {
      // After an agent restart: the old process is gone; count a restart if it had started.
      const hadRun = prior.state.running !== undefined || prior.state.terminated !== undefined;
      this.status.restartCount = prior.restartCount + (hadRun ? 1 : 0);
      this.attempt = this.status.restartCount;
      if (prior.state.running) {
        this.status.lastState = {
          terminated: { exitCode: 255, reason: 'Unknown', message: 'the node agent restarted and could not adopt the container process', startedAt: prior.state.running.startedAt, finishedAt: rfc3339(Date.now()) },
        };
      } else if (prior.state.terminated) this.status.lastState = { terminated: prior.state.terminated };
      else this.status.lastState = prior.lastState;
    }
  }

  private get fieldPath(): string {
    return containerFieldPath(this.spec.name, this.init);
  }

  private event(type: EventType, reason: string, message: string): void {
    this.w.event(this.fieldPath, type, reason, message);
  }

  private setWaiting(reason: string, message?: string): void {
    this.status = { ...this.status, state: { waiting: message ? { reason, message } : { reason } }, ready: false, started: false };
    this.w.changed();
  }

  private sleep(ms: number): Promise<void> {
    return sleep(ms, this.stopSleep.signal);
  }

  private backoffKey(): string {
    return `${this.w.uid}/${this.spec.name}`;
  }

  private runDone: Promise<void> | undefined;

  /** Runs until the container is done for good (or the pod stops). */
  run(): Promise<void> {
    this.runDone ??= this.loop();
    return this.runDone;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const exit = await this.runOnce();
      if (this.stopping) break;
      if (exit === undefined) continue; // configuration/image problems: already waited, retry
      const restart = this.forcedRestart || this.shouldRestart(exit.exitCode);
      this.forcedRestart = false;
      if (!restart) {
        this.finished = true;
        this.succeeded = exit.exitCode === 0;
        if (this.init && this.succeeded) this.status = { ...this.status, ready: true };
        this.w.changed();
        return;
      }
      // Crash-loop back-off, counted from the finish time.
      for (;;) {
        const delay = this.w.ctx.crashBackoff.delayBeforeRestart(this.backoffKey(), exit.finishedAt.getTime());
        if (delay <= 0 || this.stopping) break;
        const current = formatGoDuration(this.w.ctx.crashBackoff.current(this.backoffKey()));
        this.status = {
          ...this.status,
          lastState: this.status.state.terminated ? { terminated: this.status.state.terminated } : this.status.lastState,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${current} restarting failed container=${this.spec.name} pod=${podKey(this.w.pod)}` } },
          ready: false,
          started: false,
        };
        this.w.changed();
        this.event('Warning', 'BackOff', `Back-off restarting failed container ${this.spec.name} in pod ${podKey(this.w.pod)}`);
        await this.sleep(delay);
      }
      if (this.stopping) break;
      this.status = {
        ...this.status,
        restartCount: this.status.restartCount + 1,
        lastState: this.status.state.terminated ? { terminated: this.status.state.terminated } : this.status.lastState,
      };
      this.attempt = this.status.restartCount;
    }
    this.finished = true;
  }

  private shouldRestart(exitCode: number | null): boolean {
    const policy = this.w.pod.spec?.restartPolicy || 'Always';
    if (this.init) return exitCode !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  /** One start: resolves with the exit, or undefined when the container could not be set up. */
  private async runOnce(): Promise<ExitInfo | undefined> {
    const w = this.w;
    this.spec = w.containerSpec(this.spec.name, this.init) ?? this.spec;
    const image = this.spec.image ?? '';
    const env = await w.containerEnvironment(this.spec);
    if (!env.ok) {
      this.setWaiting('CreateContainerConfigError', env.message);
      this.event('Warning', 'Failed', `Error: ${env.message}`);
      await this.sleep(CONFIG_RETRY_MS);
      return undefined;
    }
    const { command, args } = expandCommand(this.spec, env.env);
    const program = resolveProgram(image, command, args, w.ctx.images);
    const imageKey = `${this.backoffKey()}@${image}`;
    if (!program.ok) {
      const delay = w.ctx.imageBackoff.delayBeforeRestart(imageKey, Date.now());
      if (delay <= 0) {
        this.setWaiting('ErrImagePull', program.message);
        this.event('Warning', 'Failed', `Failed to pull image "${image}": ${program.message}`);
        this.event('Warning', 'Failed', 'Error: ErrImagePull');
        await this.sleep(1000);
      } else {
        this.setWaiting('ImagePullBackOff', `Back-off pulling image "${image}": ${program.message}`);
        this.event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
        this.event('Warning', 'Failed', 'Error: ImagePullBackOff');
        await this.sleep(delay);
      }
      return undefined;
    }
    w.ctx.imageBackoff.forget(imageKey);
    this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    const sandbox = w.sandbox;
    if (!sandbox || this.stopping) return undefined;
    const containerID = `switchyard://${randomBytes(32).toString('hex')}`;
    let handle: ContainerHandle;
    try {
      handle = await w.ctx.runtime.startContainer(
        sandbox,
        { name: this.spec.name, argv: program.argv, env: Object.fromEntries(env.env), workingDir: this.spec.workingDir, tty: this.spec.tty, stdin: this.spec.stdin },
        this.attempt,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const now = new Date();
      this.event('Warning', 'Failed', `Error: failed to start container "${this.spec.name}": ${message}`);
      this.status = {
        ...this.status,
        state: { terminated: { exitCode: 128, reason: 'StartError', message, startedAt: rfc3339(0), finishedAt: rfc3339(now.getTime()), containerID } },
        ready: false,
        started: false,
        containerID,
      };
      w.changed();
      return { exitCode: 128, signal: null, startedAt: now, finishedAt: now, reason: 'StartError' };
    }
    this.handle = handle;
    this.runningImage = image;
    this.startedEnv = Object.fromEntries(env.env);
    if (this.stopping) handle.kill('SIGKILL');
    w.ctx.log.debug(`pod ${podKey(w.pod)}: container ${this.spec.name} started as pid ${handle.pid} (${program.via}: ${program.argv.join(' ')})`);
    this.event('Normal', 'Created', `Created container ${this.spec.name}`);
    this.event('Normal', 'Started', `Started container ${this.spec.name}`);
    const startupProbe = this.init ? undefined : this.spec.startupProbe;
    this.status = {
      ...this.status,
      state: { running: { startedAt: rfc3339(handle.startedAt.getTime()) } },
      ready: false,
      started: false,
      containerID,
      imageID: `switchyard-local://${image}`,
    };
    w.changed();
    if (this.spec.lifecycle?.postStart && !this.init) {
      const r = await w.runHook(this.spec.lifecycle.postStart, this.spec, env.env, 30);
      if (!r.ok) {
        this.event('Warning', 'FailedPostStartHook', r.message);
        this.kill(`PostStartHook failed`, 0, false);
      }
    }
    if (!this.init && !this.stopping) {
      if (startupProbe) this.startProbe('Startup', env.env, handle);
      else this.onStarted(env.env, handle);
    }
    const exit = await handle.exited;
    this.stopProbes();
    if (this.killTimer) clearTimeout(this.killTimer);
    this.handle = undefined;
    this.status = { ...this.status, state: terminatedFrom(exit, containerID), ready: false, started: false };
    w.changed();
    return exit;
  }

  private onStarted(env: Map<string, string>, handle: ContainerHandle): void {
    this.status = { ...this.status, started: true, ready: !this.spec.readinessProbe };
    this.w.changed();
    if (this.spec.livenessProbe) this.startProbe('Liveness', env, handle);
    if (this.spec.readinessProbe) this.startProbe('Readiness', env, handle);
  }

  private startProbe(kind: ProbeKind, env: Map<string, string>, handle: ContainerHandle): void {
    const probe = kind === 'Startup' ? this.spec.startupProbe : kind === 'Liveness' ? this.spec.livenessProbe : this.spec.readinessProbe;
    const sandbox = this.w.sandbox;
    if (!probe || !sandbox) return;
    const loop = new ProbeLoop({
      kind,
      probe,
      startedAt: handle.startedAt.getTime(),
      secondMs: this.w.ctx.secondMs,
      target: { runtime: this.w.ctx.runtime, sandbox, container: this.spec, env: Object.fromEntries(env) },
      onAttemptFailed: (message) => this.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`),
      onResult: (ok) => {
        if (this.handle !== handle) return;
        if (kind === 'Readiness') {
          this.status = { ...this.status, ready: ok };
          this.w.changed();
        } else if (kind === 'Startup' && ok) {
          this.probes.delete('Startup');
          this.onStarted(env, handle);
        } else if (!ok) {
          const grace = probe.terminationGracePeriodSeconds ?? this.w.pod.spec?.terminationGracePeriodSeconds ?? 30;
          this.event('Normal', 'Killing', `Container ${this.spec.name} failed ${kind.toLowerCase()} probe, will be restarted`);
          this.forcedRestart = this.w.pod.spec?.restartPolicy !== 'Never';
          this.kill('probe', grace, true);
        }
      },
    });
    this.probes.set(kind, loop);
    loop.start();
  }

  private stopProbes(): void {
    for (const p of this.probes.values()) p.stop();
    this.probes.clear();
  }

  /** The image in the spec changed while running: restart with the new one (kubelet's hash check). */
  specUpdated(spec: Container): void {
    this.spec = spec;
    if (this.handle && !this.stopping && (spec.image ?? '') !== this.runningImage) {
      this.event('Normal', 'Killing', `Container ${spec.name} definition changed, will be restarted`);
      this.forcedRestart = true;
      this.w.ctx.crashBackoff.forget(this.backoffKey());
      this.kill('spec change', this.w.pod.spec?.terminationGracePeriodSeconds ?? 30, true);
    }
  }

  /**
   * Stop the running process: the preStop hook (when asked), SIGTERM, and SIGKILL at the
   * deadline. Calling again with an earlier deadline brings the SIGKILL forward.
   */
  kill(why: string, graceSeconds: number, runPreStop: boolean): void {
    const handle = this.handle;
    if (!handle) return;
    const deadline = Date.now() + Math.max(0, graceSeconds) * 1000;
    if (this.killDeadline && deadline >= this.killDeadline) return;
    const first = this.killDeadline === 0;
    this.killDeadline = deadline;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => handle.kill('SIGKILL'), Math.max(0, deadline - Date.now()));
    if (!first) return;
    this.w.ctx.log.debug(`pod ${podKey(this.w.pod)}: stopping container ${this.spec.name} (${why}, grace ${graceSeconds}s)`);
    void (async () => {
      const preStop = this.spec.lifecycle?.preStop;
      if (runPreStop && preStop && graceSeconds > 0) {
        const r = await this.w.runHook(preStop, this.spec, new Map(), Math.max(1, graceSeconds));
        if (!r.ok) this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.message}`);
        // Upstream leaves at least 2 s between the hook and SIGKILL.
        const minDeadline = Date.now() + MIN_GRACE_AFTER_HOOK_S * 1000;
        if (this.handle === handle && this.killDeadline < minDeadline) {
          this.killDeadline = minDeadline;
          if (this.killTimer) clearTimeout(this.killTimer);
          this.killTimer = setTimeout(() => handle.kill('SIGKILL'), MIN_GRACE_AFTER_HOOK_S * 1000);
        }
      }
      if (this.handle === handle) handle.kill(graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
    })();
    handle.exited.then(() => {
      this.killDeadline = 0;
    }, () => undefined);
  }

  /** Stop for good (pod terminating): no restarts; resolves once the process is gone. */
  async terminate(graceSeconds: number): Promise<void> {
    this.stopping = true;
    this.stopSleep.abort();
    this.stopProbes();
    const handle = this.handle;
    if (handle) {
      this.event('Normal', 'Killing', `Stopping container ${this.spec.name}`);
      this.kill('pod terminating', graceSeconds, true);
      await handle.exited;
    }
    await this.runDone;
    if (this.status.state.waiting) {
      // Never started (or waiting to restart): it ends as it stands.
      const last = this.status.lastState.terminated;
      if (last) this.status = { ...this.status, state: { terminated: last }, lastState: {} };
      this.w.changed();
    }
  }
}

export class PodWorker {
  pod: Pod;
  sandbox: Sandbox | undefined;
  readonly uid: string;
  private initRunners: ContainerRunner[] = [];
  private runners: ContainerRunner[] = [];
  private terminating: Promise<void> | undefined;
  private removedFromApi = false;
  private shuttingDown = false;
  private terminal = false;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private lastWritten = '';
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly stopped = new AbortController();
  /** Resolves when the worker has finished with the pod for good. */
  readonly done: Promise<void>;

  constructor(
    readonly ctx: PodWorkerContext,
    pod: Pod,
  ) {
    this.pod = cloneJson(pod);
    this.uid = pod.metadata.uid ?? '';
    this.done = this.main().catch((err: unknown) => {
      ctx.log.error(`pod ${podKey(this.pod)}: worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  }

  defaultWaitingReason(): string {
    return (this.pod.spec?.initContainers ?? []).length ? 'PodInitializing' : 'ContainerCreating';
  }

  event(fieldPath: string | undefined, type: EventType, reason: string, message: string): void {
    const m = this.pod.metadata;
    this.ctx.events.event({ namespace: m.namespace ?? 'default', name: m.name ?? '', uid: this.uid, resourceVersion: m.resourceVersion }, fieldPath, type, reason, message);
  }

  containerSpec(name: string, init: boolean): Container | undefined {
    return (init ? this.pod.spec?.initContainers : this.pod.spec?.containers)?.find((c) => c.name === name);
  }

  /** A newer version of the pod from the API. */
  update(pod: Pod): void {
    this.pod = cloneJson(pod);
    for (const r of this.runners) {
      const spec = this.containerSpec(r.spec.name, false);
      if (spec) r.specUpdated(spec);
    }
    if (pod.metadata.deletionTimestamp) this.beginTermination(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
  }

  /** The pod object is gone from the API (deleted by us, or force-deleted). */
  removed(): void {
    this.removedFromApi = true;
    this.beginTermination(this.terminating ? 0 : 2);
  }

  /** Agent shutdown: stop processes quickly, leave the pod object alone. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.removedFromApi = true; // no more API writes
    this.stopped.abort();
    await Promise.all([...this.initRunners, ...this.runners].map((r) => r.terminate(0)));
  }

  private beginTermination(graceSeconds: number): void {
    if (this.terminating) {
      // A shorter grace period (kubectl delete --grace-period) brings the kill forward.
      for (const r of [...this.initRunners, ...this.runners]) r.kill('grace period shortened', graceSeconds, false);
      return;
    }
    this.stopped.abort();
    this.terminating = (async () => {
      await Promise.all([...this.initRunners, ...this.runners].map((r) => r.terminate(graceSeconds)));
    })();
  }

  async containerEnvironment(container: Container): Promise<ReturnType<typeof containerEnv>> {
    const ns = this.pod.metadata.namespace ?? 'default';
    const refs = referencedObjects(container);
    const configMaps = new Map<string, ConfigMapData>();
    const secrets = new Map<string, SecretData>();
    await Promise.all([
      ...refs.configMaps.map(async (n) => {
        try {
          configMaps.set(n, (await this.ctx.client.get(CONFIGMAPS, ns, n)) as ConfigMapData);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }),
      ...refs.secrets.map(async (n) => {
        try {
          secrets.set(n, (await this.ctx.client.get(SECRETS, ns, n)) as SecretData);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }),
    ]);
    const ips = this.sandbox ? [this.sandbox.ip] : [];
    return containerEnv({
      pod: this.pod,
      container,
      configMaps,
      secrets,
      serviceEnv: serviceEnvForPod(this.ctx.services(), ns, this.pod.spec?.enableServiceLinks !== false),
      podIP: ips[0] ?? '',
      podIPs: ips,
      hostIP: this.ctx.hostIPs[0] ?? '',
      hostIPs: this.ctx.hostIPs,
      nodeAllocatable: this.ctx.nodeAllocatable,
    });
  }

  /** Environment of a container for `kubectl exec`, or undefined if the pod has no such container. */
  async execEnvironment(containerName: string): Promise<Record<string, string> | undefined> {
    const c = this.containerSpec(containerName, false) ?? this.containerSpec(containerName, true);
    if (!c) return undefined;
    // A running container keeps the environment it started with (services created later are not in it).
    const running = [...this.runners, ...this.initRunners].find((x) => x.spec.name === containerName && x.handle !== undefined);
    if (running?.startedEnv) return { ...running.startedEnv };
    const env = await this.containerEnvironment(c);
    return env.ok ? Object.fromEntries(env.env) : {};
  }

  /** Runs a lifecycle hook (exec / httpGet / tcpSocket / sleep). */
  async runHook(h: LifecycleHandler, container: Container, env: Map<string, string>, timeoutSeconds: number): Promise<{ ok: boolean; message: string }> {
    if (h.sleep) {
      await sleep((h.sleep.seconds ?? 0) * 1000);
      return { ok: true, message: '' };
    }
    const sandbox = this.sandbox;
    if (!sandbox) return { ok: false, message: 'no sandbox' };
    let fullEnv = env;
    if (h.exec && env.size === 0) {
      const r = await this.containerEnvironment(container);
      if (r.ok) fullEnv = r.env;
    }
    const r = await runProbe(h, { runtime: this.ctx.runtime, sandbox, container, env: Object.fromEntries(fullEnv) }, timeoutSeconds);
    return r.ok ? { ok: true, message: '' } : { ok: false, message: r.message };
  }

  /** The folder of a container's log files (by attempt), or undefined. */
  logDir(containerName: string): string | undefined {
    const r = [...this.runners, ...this.initRunners].find((x) => x.spec.name === containerName);
    if (!r && !this.containerSpec(containerName, false) && !this.containerSpec(containerName, true)) return undefined;
    if (r?.handle) return r.handle.logPath.slice(0, r.handle.logPath.lastIndexOf('/'));
    return this.sandbox ? `${this.sandbox.dir}/logs/${containerName}` : undefined;
  }

  /** True while the named container has a running process. */
  isRunning(containerName: string): boolean {
    return [...this.runners, ...this.initRunners].some((x) => x.spec.name === containerName && x.handle !== undefined);
  }

  // ---- status ----

  /** Something changed: schedule a status write. */
  changed(): void {
    this.dirty = true;
    if (this.flushTimer || this.removedFromApi) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, 20);
  }

  private currentStatus(): PodStatus {
    return computePodStatus({
      pod: this.pod,
      sandboxReady: this.sandbox !== undefined && !this.terminal,
      podIPs: this.sandbox ? [this.sandbox.ip] : [],
      hostIPs: this.ctx.hostIPs,
      initStatuses: new Map(this.initRunners.map((r) => [r.spec.name, r.status])),
      containerStatuses: new Map(this.runners.map((r) => [r.spec.name, r.status])),
      podIsTerminal: this.terminal,
      now: Date.now(),
    });
  }

  /** Writes the status if it differs from what was last written; serialized. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty || this.removedFromApi) return;
    this.dirty = false;
    const status = this.currentStatus();
    const fingerprint = JSON.stringify(status);
    const apiStatus = JSON.stringify(this.pod.status ?? {});
    if (fingerprint === this.lastWritten || fingerprint === apiStatus) return;
    this.writing = (async () => {
      try {
        const updated = (await this.ctx.client.patch(PODS, this.pod.metadata.namespace, this.pod.metadata.name ?? '', { status }, 'merge', {
          subresource: 'status',
          fieldManager: 'kubelet',
        })) as Pod;
        this.lastWritten = fingerprint;
        if (updated?.metadata?.uid === this.uid) this.pod = updated;
      } catch (err) {
        if (isNotFound(err)) return;
        this.ctx.log.warn(`pod ${podKey(this.pod)}: status update failed: ${err instanceof Error ? err.message : String(err)}`);
        this.dirty = true;
        setTimeout(() => this.changed(), 1000);
      }
    })();
    await this.writing;
    this.writing = undefined;
  }

  // ---- lifecycle ----

  private async main(): Promise<void> {
    const phase = this.pod.status?.phase;
    const alreadyTerminal = phase === 'Succeeded' || phase === 'Failed';
    if (!alreadyTerminal && !this.pod.metadata.deletionTimestamp) await this.setUp();
    else if (this.pod.metadata.deletionTimestamp) this.beginTermination(0);
    if (this.shuttingDown) return;
    if (this.terminating) await this.terminating;
    else {
      // Wait for deletion of a finished pod (its sandbox stays for `kubectl logs`).
      this.terminal = alreadyTerminal || this.terminal;
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (this.terminating || this.removedFromApi) {
            clearInterval(check);
            resolve();
          }
        }, 200);
      });
      if (this.terminating) await this.terminating;
    }
    // Agent shutdown: the pod lives on; the next agent adopts its sandbox.
    if (this.shuttingDown) return;
    await this.finishTermination();
  }

  private async setUp(): Promise<void> {
    const ns = this.pod.metadata.namespace ?? 'default';
    const spec = this.pod.spec ?? {};
    const hostname = spec.hostname || (this.pod.metadata.name ?? '');
    const dns = podDnsSettings({
      dnsPolicy: spec.dnsPolicy,
      hostNetwork: spec.hostNetwork,
      dnsConfig: spec.dnsConfig,
      namespace: ns,
      clusterDomain: this.ctx.clusterDomain,
      clusterDNS: this.ctx.clusterDNS,
      host: this.ctx.hostDns,
    });
    const fqdn = spec.subdomain ? `${hostname}.${spec.subdomain}.${ns}.svc.${this.ctx.clusterDomain}` : undefined;
    for (let attempt = 0; !this.stopped.signal.aborted; attempt++) {
      try {
        this.sandbox = await this.ctx.runtime.createSandbox({ uid: this.uid, namespace: ns, name: this.pod.metadata.name ?? '', hostname, fqdn, resolvConf: formatResolvConf(dns), hostNetwork: spec.hostNetwork === true });
        break;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.event(undefined, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${message}`);
        await sleep(Math.min(30_000, 1000 * 2 ** attempt), this.stopped.signal);
      }
    }
    if (!this.sandbox) return;
    const prior = this.pod.status;
    const priorOf = (list: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined => list?.find((s) => s.name === name);
    const initialized = prior?.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') && (spec.initContainers ?? []).length > 0;
    this.initRunners = (spec.initContainers ?? []).map((c) => new ContainerRunner(this, c, true, initialized ? undefined : priorOf(prior?.initContainerStatuses, c.name)));
    this.runners = (spec.containers ?? []).map((c) => new ContainerRunner(this, c, false, priorOf(prior?.containerStatuses, c.name)));
    if (initialized) {
      // Init containers ran before an agent restart: keep their statuses, do not run them again.
      for (const r of this.initRunners) {
        const s = priorOf(prior?.initContainerStatuses, r.spec.name);
        if (s) r.status = s;
        r.finished = true;
        r.succeeded = true;
      }
    }
    this.changed();
    for (const r of this.initRunners) {
      if (this.stopped.signal.aborted) return;
      if (r.finished) continue;
      await r.run();
      if (!r.succeeded) {
        if (!this.stopped.signal.aborted) {
          this.terminal = true;
          this.changed();
        }
        return;
      }
    }
    if (this.stopped.signal.aborted) return;
    await Promise.all(this.runners.map((r) => r.run()));
    if (!this.stopped.signal.aborted) {
      // Every container is done for good (restartPolicy OnFailure/Never): the pod has finished.
      this.terminal = true;
      this.changed();
      await this.flush();
    }
  }

  private async finishTermination(): Promise<void> {
    this.terminal = true;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    this.dirty = true;
    await this.flush();
    if (!this.removedFromApi && this.pod.metadata.deletionTimestamp) {
      try {
        await this.ctx.client.delete(PODS, this.pod.metadata.namespace, this.pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (err) {
        if (!isNotFound(err) && !(err instanceof Error && /precondition|Conflict/i.test(err.message))) {
          this.ctx.log.warn(`pod ${podKey(this.pod)}: delete failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    this.ctx.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.ctx.imageBackoff.forgetPrefix(`${this.uid}/`);
    await this.ctx.runtime.removeSandbox(this.uid);
  }
}
