/**
 * The remote-command channel protocol that `kubectl exec` speaks over WebSocket
 * (k8s.io/apimachinery/pkg/util/remotecommand, client-go tools/remotecommand/websocket.go):
 * every binary message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error
 * (one JSON `Status` when the command ends), 4 resize (`{"Width":w,"Height":h}`). Version 5
 * adds channel 255, a control message `[255, n]` that half-closes channel n (kubectl sends
 * `[255, 0]` when its stdin ends). We serve v5 and v4 (v4 simply never half-closes stdin).
 */
import { PassThrough, Writable } from 'node:stream';
import type { WebSocketConnection } from './websocket.js';
import { CloseCode } from './websocket.js';

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
export const SUPPORTED_PROTOCOLS: readonly string[] = [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4];

export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4, Close: 255 } as const;

/** What the client asked for (kubelet's query parameters: command, input, output, error, tty). */
export interface ExecRequest {
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

function flag(q: URLSearchParams, ...names: string[]): boolean {
  return names.some((n) => {
    const v = q.get(n);
    return v === '1' || v === 'true';
  });
}

/**
 * Parse the agent's `/exec/...` query (`input`, `output`, `error`, `tty`, repeated `command`);
 * the API server's names (`stdin`, `stdout`, `stderr`) are accepted too. As in kubelet, a TTY
 * has no separate stderr. Errors are kubelet's messages.
 */
export function parseExecQuery(q: URLSearchParams): { ok: true; request: ExecRequest } | { ok: false; message: string } {
  const command = q.getAll('command');
  const tty = flag(q, 'tty');
  const stdin = flag(q, 'input', 'stdin');
  const stdout = flag(q, 'output', 'stdout');
  const stderr = flag(q, 'error', 'stderr') && !tty;
  if (!stdin && !stdout && !stderr) return { ok: false, message: 'you must specify at least 1 of stdin, stdout, stderr' };
  if (command.length === 0) return { ok: false, message: 'you must specify at least one command for the container' };
  return { ok: true, request: { command, stdin, stdout, stderr, tty } };
}

/** The error-channel Status for a finished command (kubelet's exec result reporting). */
export function exitStatus(command: readonly string[], exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The error-channel Status when the command could not be run at all. */
export function internalErrorStatus(message: string): Record<string, unknown> {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: error executing command in container: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message: `error executing command in container: ${message}` }] },
    code: 500,
  };
}

/** What a session hands to whoever runs the command. */
export interface ExecIO {
  /** Client stdin (ends when the client half-closes it or goes away); undefined when not requested. */
  readonly stdin?: PassThrough;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly tty: boolean;
  /** Terminal sizes from the resize channel (rows, cols); the last size is replayed to late listeners. */
  readonly onResize: (listener: (size: { rows: number; cols: number }) => void) => void;
  /** Aborted when the client disconnects before the command ends. */
  readonly signal: AbortSignal;
}

/** A writable that forwards each chunk as a message on one channel. */
function channelWriter(ws: WebSocketConnection, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      // Keep messages well below any client buffer size.
      for (let off = 0; off < data.length || off === 0; off += 32 * 1024) {
        ws.send(Buffer.concat([Buffer.from([channel]), data.subarray(off, off + 32 * 1024)]));
        if (data.length === 0) break;
      }
      if (ws.socket.writableNeedDrain) ws.socket.once('drain', () => cb());
      else cb();
    },
  });
}

/**
 * How long a session waits after the handshake before it starts the command. kubectl up to
 * at least 1.33 (client-go's WebSocket executor before kubernetes/kubernetes#131203) starts
 * reading frames in one goroutine while another is still creating its stdout/stderr/error
 * streams; a frame that wins that race is dropped ("Unknown stream id 1, discarding
 * message") and `kubectl exec pod -- hostname` prints nothing and exits 0. Behind a real
 * kube-apiserver the WebSocket→SPDY translation and the CRI exec put milliseconds between
 * the 101 and the first output; a process spawned here can answer within one. Client
 * frames that arrive meanwhile (stdin, resize) are kept.
 */
export const DEFAULT_START_GRACE_MS = 20;

export interface ServeOptions {
  /** Delay between the handshake and starting the command (default DEFAULT_START_GRACE_MS). */
  readonly startGraceMs?: number;
}

/**
 * Run one remote-command session on an open WebSocket: demultiplex stdin/resize/close from
 * the client, give `run` the streams, then report its exit code on the error channel and
 * close the connection normally (which is how the client learns that stdout has ended).
 * `run` returns the exit code; if it throws, an InternalError Status is reported instead.
 */
export async function serveRemoteCommand(
  ws: WebSocketConnection,
  req: ExecRequest,
  run: (io: ExecIO) => Promise<number>,
  opts: ServeOptions = {},
): Promise<number | undefined> {
  const abort = new AbortController();
  const stdin = req.stdin ? new PassThrough() : undefined;
  const resizeListeners: ((s: { rows: number; cols: number }) => void)[] = [];
  let lastSize: { rows: number; cols: number } | undefined;
  let finished = false;

  ws.on('message', (data, binary) => {
    if (!binary || data.length === 0) return;
    const channel = data[0];
    const body = data.subarray(1);
    switch (channel) {
      case Channel.Stdin:
        if (stdin && !stdin.writableEnded && body.length) stdin.write(body);
        return;
      case Channel.Resize: {
        if (!req.tty) return;
        try {
          const s = JSON.parse(body.toString('utf8')) as { Width?: unknown; Height?: unknown };
          const cols = Number(s.Width);
          const rows = Number(s.Height);
          if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0) {
            lastSize = { rows, cols };
            for (const l of resizeListeners) l(lastSize);
          }
        } catch {
          // a malformed resize is ignored, as kubelet does
        }
        return;
      }
      case Channel.Close:
        if (ws.protocol === STREAM_PROTOCOL_V5 && body[0] === Channel.Stdin) stdin?.end();
        return;
      default:
        return;
    }
  });
  ws.on('close', () => {
    stdin?.end();
    if (!finished) abort.abort();
  });

  const io: ExecIO = {
    stdin,
    stdout: channelWriter(ws, Channel.Stdout),
    stderr: channelWriter(ws, req.tty ? Channel.Stdout : Channel.Stderr),
    tty: req.tty,
    onResize: (l) => {
      resizeListeners.push(l);
      if (lastSize) l(lastSize);
    },
    signal: abort.signal,
  };

  let status: Record<string, unknown>;
  let exitCode: number | undefined;
  const grace = opts.startGraceMs ?? DEFAULT_START_GRACE_MS;
  if (grace > 0) await new Promise<void>((r) => setTimeout(r, grace));
  // The client went away before anything ran: there is no one to report to.
  if (abort.signal.aborted) return undefined;
  try {
    exitCode = await run(io);
    status = exitStatus(req.command, exitCode);
  } catch (e) {
    status = internalErrorStatus((e as Error).message);
  }
  finished = true;
  // Flush anything still queued in the channel writers before the status.
  await Promise.all([io.stdout, io.stderr].map((w) => new Promise<void>((r) => (w as Writable).end(r))));
  ws.send(Buffer.concat([Buffer.from([Channel.Error]), Buffer.from(JSON.stringify(status))]));
  ws.close(CloseCode.Normal);
  return exitCode;
}
