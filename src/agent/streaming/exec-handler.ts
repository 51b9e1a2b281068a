/**
 * The agent's `kubectl exec` endpoint (kubelet's `/exec/{namespace}/{pod}/{container}`, also
 * `/exec/{namespace}/{pod}/{uid}/{container}`): a WebSocket upgrade that runs the command in
 * the pod's sandbox through the Runtime, with the container's environment. Mount it on the
 * agent's HTTPS server:
 *
 *   server.on('upgrade', (req, socket, head) => {
 *     if (!handleExecUpgrade(req, socket, head, resolveTarget)) socket.destroy();
 *   });
 *
 * Failures before the upgrade are answered as kubelet does, with a plain-text body (the API
 * server passes it through and kubectl prints `error: unable to upgrade connection: <text>`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Runtime, Sandbox } from '../runtime/runtime.js';
import { parseExecQuery, serveRemoteCommand, SUPPORTED_PROTOCOLS } from './remote-command.js';
import { checkHandshake, completeHandshake, writeHttpError } from './websocket.js';

export interface ExecTargetRef {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Present when the path carried the pod uid. */
  readonly uid?: string;
}

/** Where to run: the pod's sandbox, the runtime, and the container's environment. */
export interface ExecTarget {
  readonly runtime: Pick<Runtime, 'exec'>;
  readonly sandbox: Sandbox;
  readonly env: Readonly<Record<string, string>>;
}

export type ExecTargetResult =
  | ({ readonly ok: true } & ExecTarget)
  /** kubelet: 404 `pod does not exist`, 404 `container not found ("c")`. */
  | { readonly ok: false; readonly status: number; readonly message: string };

export type ResolveExecTarget = (ref: ExecTargetRef) => Promise<ExecTargetResult>;

/**
 * Adapter for the agent core: a lookup that answers the target or undefined (no such pod or
 * container running) becomes a ResolveExecTarget with kubelet's 404 message.
 */
export function resolveFromLookup(
  lookup: (namespace: string, pod: string, container: string) => Promise<ExecTarget | undefined>,
): ResolveExecTarget {
  return async (ref) => {
    const t = await lookup(ref.namespace, ref.pod, ref.container);
    if (!t) return { ok: false, status: 404, message: `container not found ("${ref.container}")` };
    return { ok: true, runtime: t.runtime, sandbox: t.sandbox, env: t.env };
  };
}

export interface ExecUpgradeOptions {
  /**
   * Who may exec. Default: on a TLS socket, only clients whose certificate verified
   * (`socket.authorized`) — the API server presents its client certificate.
   */
  readonly authorize?: (req: IncomingMessage, socket: Duplex) => boolean;
  readonly log?: (msg: string) => void;
}

function defaultAuthorize(_req: IncomingMessage, socket: Duplex): boolean {
  return !(socket instanceof TLSSocket) || socket.authorized;
}

/** `/exec/ns/pod/container` or `/exec/ns/pod/uid/container` → parts; undefined for other paths. */
export function parseExecPath(pathname: string): ExecTargetRef | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'exec') return undefined;
  if (parts.length === 4) return { namespace: parts[1] ?? '', pod: parts[2] ?? '', container: parts[3] ?? '' };
  if (parts.length === 5) return { namespace: parts[1] ?? '', pod: parts[2] ?? '', uid: parts[3] ?? '', container: parts[4] ?? '' };
  return undefined;
}

/**
 * Handle an upgrade request if it is for `/exec/...`; returns false (without touching the
 * socket) for other paths so the caller can route them elsewhere. The session runs in the
 * background; errors are reported to the client, never thrown.
 */
export function handleExecUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  resolveTarget: ResolveExecTarget,
  opts: ExecUpgradeOptions = {},
): boolean {
  const url = new URL(req.url ?? '/', 'http://agent');
  const ref = parseExecPath(url.pathname);
  if (!ref) return false;
  socket.on('error', () => undefined);
  void run(req, socket, head, url, ref, resolveTarget, opts).catch((e: unknown) => {
    opts.log?.(`exec ${ref.namespace}/${ref.pod}/${ref.container}: ${(e as Error).message}`);
    writeHttpError(socket, 500, (e as Error).message);
  });
  return true;
}

async function run(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  ref: ExecTargetRef,
  resolveTarget: ResolveExecTarget,
  opts: ExecUpgradeOptions,
): Promise<void> {
  if (!(opts.authorize ?? defaultAuthorize)(req, socket)) {
    writeHttpError(socket, 401, 'Unauthorized');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    writeHttpError(socket, 405, `method ${req.method ?? ''} not allowed`);
    return;
  }
  const parsed = parseExecQuery(url.searchParams);
  if (!parsed.ok) {
    writeHttpError(socket, 400, parsed.message);
    return;
  }
  const hs = checkHandshake(req, SUPPORTED_PROTOCOLS);
  if (!hs.ok) {
    writeHttpError(socket, hs.status, hs.message);
    return;
  }
  const target = await resolveTarget(ref);
  if (!target.ok) {
    writeHttpError(socket, target.status, target.message);
    return;
  }
  const ws = completeHandshake(req, socket, head, hs.protocol);
  const request = parsed.request;
  const code = await serveRemoteCommand(ws, request, async (io) => {
    const result = await target.runtime.exec(
      target.sandbox,
      { argv: request.command, env: target.env, tty: request.tty, stdin: io.stdin, onResize: io.onResize, signal: io.signal },
      io.stdout,
      io.stderr,
    );
    return result.exitCode;
  });
  opts.log?.(`exec ${ref.namespace}/${ref.pod}/${ref.container} ${JSON.stringify(request.command)}: exit ${code ?? 'error'}`);
}
