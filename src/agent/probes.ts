/**
 * Container probes as kubelet's prober runs them.
 *
 * - `runProbe` performs one check: httpGet (scheme, host, path, port by number or name,
 *   headers; 200-399 is success; User-Agent kube-probe/<minor>), tcpSocket (connect), exec
 *   (runtime.exec with the container's env; exit 0 is success). Each has timeoutSeconds.
 *   Messages follow upstream's wording so `kubectl describe` reads the same.
 * - `ProbeLoop` runs one probe of one container every periodSeconds after initialDelaySeconds
 *   and flips its result only after successThreshold / failureThreshold consecutive results.
 *   Every failed attempt is reported (kubelet records an Unhealthy event for each).
 */
import { type RequestOptions, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Writable } from 'node:stream';
import type { Runtime, Sandbox } from './runtime/runtime.js';
import type { Container, Probe, ProbeHandler } from './pod-types.js';

export type ProbeOutcome = { readonly ok: true; readonly message?: string } | { readonly ok: false; readonly message: string };

export interface ProbeTarget {
  readonly runtime: Runtime;
  readonly sandbox: Sandbox;
  readonly container: Container;
  /** The container's environment, for exec probes. */
  readonly env: Readonly<Record<string, string>>;
}

const PROBE_USER_AGENT = 'kube-probe/1.32';
const MAX_EXEC_OUTPUT = 10 * 1024;

/** A port given by number or by the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port > 0 && port < 65536 ? port : undefined;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return resolvePort(Number(port), container);
    const p = container.ports?.find((x) => x.name === port)?.containerPort;
    return p;
  }
  return undefined;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Dial the pod (through the runtime) or, when the probe names a host, that host. */
function dial(t: ProbeTarget, host: string | undefined, port: number, timeoutMs: number): Promise<Socket> {
  const attempt = host
    ? new Promise<Socket>((resolve, reject) => {
        const s = connect({ host, port });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      })
    : t.runtime.connect(t.sandbox, port);
  return withTimeout(attempt, timeoutMs, () => new Error('i/o timeout'));
}

function withTimeout<T>(p: Promise<T>, ms: number, err: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(err()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function dialError(e: unknown, addr: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  return `dial tcp ${addr}: ${e instanceof Error ? e.message : String(e)}`;
}

async function httpProbe(h: NonNullable<ProbeHandler['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(h.port, t.container);
  const scheme = (h.scheme || 'HTTP').toUpperCase() === 'HTTPS' ? 'https' : 'http';
  const shownHost = h.host || t.sandbox.ip;
  let path = h.path || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const url = `${scheme}://${hostPort(shownHost, port ?? 0)}${path}`;
  if (port === undefined) return { ok: false, message: `unable to resolve port ${JSON.stringify(h.port)} of the probe` };
  let socket: Socket;
  try {
    socket = await dial(t, h.host, port, timeoutMs);
  } catch (e) {
    return { ok: false, message: `Get "${url}": ${dialError(e, hostPort(shownHost, port))}` };
  }
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const hd of h.httpHeaders ?? []) headers[hd.name] = hd.value;
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.Host = hostPort(shownHost, port);
  return new Promise<ProbeOutcome>((resolve) => {
    // HTTPS probes do not verify the certificate, as kubelet's do not.
    const conn: Socket = scheme === 'https' ? tlsConnect({ socket, rejectUnauthorized: false }) : socket;
    const options: RequestOptions = { method: 'GET', path, headers, createConnection: () => conn };
    const req = httpRequest(
      options,
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < MAX_EXEC_OUTPUT) body += d;
        });
        res.on('end', () => {
          clearTimeout(timer);
          conn.destroy();
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ ok: true, message: body });
          else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `Get "${url}": ${e.message}` });
    });
    req.end();
  });
}

async function tcpProbe(h: NonNullable<ProbeHandler['tcpSocket']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(h.port, t.container);
  if (port === undefined) return { ok: false, message: `unable to resolve port ${JSON.stringify(h.port)} of the probe` };
  const addr = hostPort(h.host || t.sandbox.ip, port);
  try {
    const s = await dial(t, h.host, port, timeoutMs);
    s.destroy();
    return { ok: true };
  } catch (e) {
    return { ok: false, message: dialError(e, addr) };
  }
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    if (this.text.length < MAX_EXEC_OUTPUT) this.text += chunk.toString();
    cb();
  }
}

async function execProbe(h: NonNullable<ProbeHandler['exec']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const argv = h.command ?? [];
  const out = new Capture();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const r = await t.runtime.exec(t.sandbox, { argv, env: t.env, tty: false, signal: ac.signal }, out, out);
    if (ac.signal.aborted) return { ok: false, message: `command ${JSON.stringify(argv.join(' '))} timed out` };
    if (r.exitCode === 0) return { ok: true, message: out.text };
    return { ok: false, message: out.text || `command ${JSON.stringify(argv.join(' '))} exited with ${r.exitCode}` };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** One check of a probe or lifecycle handler. */
export async function runProbe(h: ProbeHandler, t: ProbeTarget, timeoutSeconds = 1): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(1, timeoutSeconds) * 1000;
  if (h.httpGet) return httpProbe(h.httpGet, t, timeoutMs);
  if (h.tcpSocket) return tcpProbe(h.tcpSocket, t, timeoutMs);
  if (h.exec) return execProbe(h.exec, t, timeoutMs);
  if (h.grpc) return { ok: false, message: 'gRPC probes are not supported by the Switchyard agent' };
  return { ok: false, message: 'probe has no handler' };
}

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

export interface ProbeLoopOptions {
  readonly kind: ProbeKind;
  readonly probe: Probe;
  readonly target: ProbeTarget;
  readonly startedAt: number;
  /** The result flipped (after the thresholds). */
  readonly onResult: (ok: boolean) => void;
  /** A single attempt failed (for the Unhealthy event). */
  readonly onAttemptFailed: (message: string) => void;
  /** Length of a probe "second" in ms (tests shorten it). */
  readonly secondMs?: number;
  /** Probe runner, replaceable in tests. */
  readonly run?: (h: ProbeHandler, t: ProbeTarget, timeoutSeconds?: number) => Promise<ProbeOutcome>;
}

/** Periodic probing of one container (kubelet's prober worker). */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  /** Current result: readiness starts failed, liveness passed, startup not yet passed. */
  result: boolean;

  constructor(private readonly o: ProbeLoopOptions) {
    this.result = o.kind === 'Liveness';
  }

  start(): void {
    const delayMs = Math.max(0, (this.o.probe.initialDelaySeconds ?? 0) * (this.o.secondMs ?? 1000) - (Date.now() - this.o.startedAt));
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const p = this.o.probe;
    const run = this.o.run ?? runProbe;
    const out = await run(p, this.o.target, p.timeoutSeconds ?? 1);
    if (this.stopped) return;
    const successThreshold = this.o.kind === 'Readiness' ? Math.max(1, p.successThreshold ?? 1) : 1;
    const failureThreshold = Math.max(1, p.failureThreshold ?? 3);
    if (out.ok) {
      this.failures = 0;
      this.successes++;
      if (!this.result && this.successes >= successThreshold) {
        this.result = true;
        this.o.onResult(true);
      }
    } else {
      this.successes = 0;
      this.failures++;
      this.o.onAttemptFailed(out.message);
      if (this.failures >= failureThreshold) {
        if (this.o.kind === 'Readiness') {
          if (this.result) {
            this.result = false;
            this.o.onResult(false);
          }
        } else {
          // Liveness and startup failures restart the container (the loop is replaced then);
          // a liveness loop itself stays "passing" so a late success does not report a flip.
          this.failures = 0;
          this.result = this.o.kind === 'Liveness';
          this.o.onResult(false);
        }
      }
    }
    // A startup probe ends with its first success.
    if (this.o.kind === 'Startup' && this.result) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(1, p.periodSeconds ?? 10) * (this.o.secondMs ?? 1000));
  }
}
