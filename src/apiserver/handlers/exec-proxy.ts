/**
 * `pods/exec` (kube-apiserver's ExecREST + UpgradeAwareHandler): the API server checks the
 * request, then opens a TLS connection to the node agent (Node InternalIP +
 * daemonEndpoints.kubeletEndpoint.Port), presenting its client certificate, sends the
 * upgrade request for the agent's `/exec/{namespace}/{pod}/{container}?command=...&input=1&
 * output=1&error=1&tty=1` and, once the agent answered, relays bytes both ways untouched. The
 * WebSocket (or any other) protocol runs end to end between kubectl and the agent.
 *
 * Errors found here are `Status` objects (kubectl prints `Error from server (...)`); answers
 * from the agent — including its plain-text refusals such as `container not found ("x")`,
 * which kubectl shows as `unable to upgrade connection: ...` — are passed through as they are.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import { ApiError } from '../status.js';
import * as errors from '../status.js';
import { kubeletEndpoint, pickContainer, type KubeletClientConfig } from './node-proxy.js';

export interface ExecProxyTarget {
  /** The pod (undefined: it does not exist). */
  readonly pod: KubeObject | undefined;
  /** The pod's node (undefined: not found or the pod is not scheduled). */
  readonly node: KubeObject | undefined;
  readonly kubeletClient: KubeletClientConfig | undefined;
  /** Connect timeout to the agent (default 10 s). */
  readonly dialTimeoutMs?: number;
}

/** Client headers that belong to the streaming handshake and travel to the agent. */
const FORWARDED_HEADERS = [
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-stream-protocol-version',
  'user-agent',
];

/** The upgrade subresources the agent serves; the same translation applies to each. */
const STREAM_SUBRESOURCES = new Set(['exec']);

/** A `pods/{name}/exec` request URL → namespace, name, subresource; undefined for other paths. */
export function parsePodStreamPath(pathname: string): { namespace: string; name: string; subresource: string } | undefined {
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  if (!m?.[1] || !m[2] || !m[3] || !STREAM_SUBRESOURCES.has(m[3])) return undefined;
  return { namespace: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]), subresource: m[3] };
}

/** PodExecOptions booleans: absent stdout/stderr default to true (upstream defaulting), others to false. */
function boolParam(q: URLSearchParams, name: string, dflt: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  return ['1', 't', 'true'].includes(v.toLowerCase());
}

/**
 * The agent path for an exec request: `/exec/{ns}/{pod}/{container}` with kubelet's query
 * names (command repeated, input/output/error/tty as "1"). Throws ApiError BadRequest when
 * the options are unusable.
 */
export function agentExecPath(namespace: string, pod: string, container: string, q: URLSearchParams): string {
  const command = q.getAll('command');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  const stdin = boolParam(q, 'stdin', false);
  const stdout = boolParam(q, 'stdout', true);
  const stderr = boolParam(q, 'stderr', true);
  const tty = boolParam(q, 'tty', false);
  if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const out = new URLSearchParams();
  for (const c of command) out.append('command', c);
  if (stdin) out.set('input', '1');
  if (stdout) out.set('output', '1');
  if (stderr) out.set('error', '1');
  if (tty) out.set('tty', '1');
  const enc = encodeURIComponent;
  return `/exec/${enc(namespace)}/${enc(pod)}/${enc(container)}?${out.toString()}`;
}

const REASON_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answer an upgrade request with a Status error (what kube-apiserver sends before any upgrade). */
export function writeUpgradeStatus(socket: Duplex, err: ApiError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(err.status);
  socket.end(
    `HTTP/1.1 ${err.code} ${REASON_TEXT[err.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-cache, private\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Proxy a `pods/{name}/exec` upgrade request to the pod's node agent. Resolves when the
 * session ends (or the error was answered); never rejects — every failure is answered on
 * the client socket.
 */
export async function proxyPodExec(req: IncomingMessage, socket: Duplex, head: Buffer, target: ExecProxyTarget): Promise<void> {
  socket.on('error', () => undefined);
  let upstream: TLSSocket;
  try {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const parsed = parsePodStreamPath(url.pathname);
    if (!parsed) throw errors.pathNotFound();
    const pod = target.pod;
    if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, parsed.name);
    const podName = pod.metadata.name ?? parsed.name;
    const container = pickContainer(pod, url.searchParams.get('container'));
    const spec = (isRecord(pod.spec) ? pod.spec : {}) as { nodeName?: string };
    if (!spec.nodeName) throw errors.badRequest(`pod ${podName} does not have a host assigned`);
    const path = agentExecPath(pod.metadata.namespace ?? parsed.namespace, podName, container, url.searchParams);
    if (!target.kubeletClient) throw errors.serviceUnavailable('this server has no kubelet client configured');
    if (!target.node) throw errors.notFound({ group: '', resource: 'nodes' }, spec.nodeName);
    const ep = kubeletEndpoint(target.node);
    if (!ep) throw errors.badRequest(`node ${spec.nodeName} has no kubelet endpoint (is its agent running?)`);
    upstream = await dial(ep.host, ep.port, target.kubeletClient, target.dialTimeoutMs ?? 10_000);
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    let request = `${req.method === 'POST' ? 'POST' : 'GET'} ${path} HTTP/1.1\r\nHost: ${host}:${ep.port}\r\nConnection: Upgrade\r\n`;
    for (const name of FORWARDED_HEADERS) {
      const v = req.headers[name];
      if (v !== undefined) request += `${name}: ${Array.isArray(v) ? v.join(', ') : v}\r\n`;
    }
    if (req.method === 'POST') request += 'Content-Length: 0\r\n';
    upstream.write(`${request}\r\n`);
    if (head.length) upstream.write(head);
  } catch (e) {
    writeUpgradeStatus(socket, e instanceof ApiError ? e : errors.internalError((e as Error).message));
    return;
  }
  // From here on bytes are relayed as they are: the agent's 101 (or its error response) and the stream.
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      upstream.destroy();
      socket.destroy();
      resolve();
    };
    upstream.on('error', finish);
    socket.on('error', finish);
    upstream.on('close', () => {
      if (!socket.destroyed) socket.end();
      setTimeout(finish, 1000).unref();
    });
    socket.on('close', finish);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
}

/** kube-apiserver answers a failed dial with a reason-less 500 (`Error from server: error dialing backend: ...`). */
function dialError(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `error dialing backend: ${message}`, code: 500 });
}

function dial(host: string, port: number, client: KubeletClientConfig, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // Like kube-apiserver without --kubelet-certificate-authority, the agent's serving
    // certificate is not verified; the agent verifies our client certificate.
    const s = tlsConnect({ host, port, cert: client.certPem, key: client.keyPem, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => {
      s.destroy();
      reject(dialError(`dial tcp ${host}:${port}: i/o timeout`));
    }, timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(dialError(`dial tcp ${host}:${port}: ${e.message}`));
    });
  });
}
