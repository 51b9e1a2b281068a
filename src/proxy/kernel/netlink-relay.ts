/**
 * A NETLINK_NETFILTER socket for the dataplanes. Node cannot open netlink
 * sockets, so a small Python program (python3 is on the nodes already for
 * `kubectl exec -it`) holds one, in the dataplane's network namespace, and
 * relays batches built here: it sends a batch, then a marker request whose
 * answer arrives after every error of the batch, and reports the first error
 * (errno and the sequence number of the message that failed) or success.
 *
 * Frames on its stdin: u32 batch length, u32 marker length, u32 marker seq
 * (little endian), the batch, the marker. On its stdout: one byte `R` once
 * the socket is open, then per frame u32 errno, u32 seq.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Logger } from '../../log/logger.js';
import { findExecutable } from './command-runner.js';

const RELAY_PROGRAM = String.raw`
import socket, struct, sys
NETLINK_NETFILTER = 12
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 21)
s.bind((0, 0))
inp, out = sys.stdin.buffer, sys.stdout.buffer
def readn(n):
    b = b''
    while len(b) < n:
        c = inp.read(n - len(b))
        if not c:
            sys.exit(0)
        b += c
    return b
out.write(b'R'); out.flush()
while True:
    n1, n2, marker = struct.unpack('<III', readn(12))
    batch, req = readn(n1), readn(n2)
    err, eseq = 0, 0
    try:
        s.send(batch)
        s.send(req)
        done = False
        while not done:
            data = s.recv(1 << 21)
            off = 0
            while off + 16 <= len(data):
                ln, typ, flags, seq, pid = struct.unpack_from('=IHHII', data, off)
                if typ == 2 and off + 20 <= len(data):
                    e = -struct.unpack_from('=i', data, off + 16)[0]
                    if e and not err:
                        err, eseq = e, seq
                if seq == marker:
                    done = True
                if ln < 16:
                    break
                off += (ln + 3) & ~3
    except OSError as e:
        err, eseq = (e.errno or 5), 0
    out.write(struct.pack('<II', err, eseq)); out.flush()
`;

export interface RelayResult {
  /** 0 on success. */
  readonly errno: number;
  /** The sequence number of the message that failed (0: the send itself failed). */
  readonly seq: number;
}

/** One relay process; requests are answered in order. */
export class NetlinkRelay {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: RelayResult) => void; reject: (e: Error) => void }[] = [];
  private closed = false;

  private constructor(private readonly log?: Logger) {}

  /**
   * Starts a relay (inside `netns` when given); undefined, with the reason logged at debug
   * level, where it cannot run (no python3, no permission for netlink).
   */
  static async start(opts: { readonly netns?: string; readonly log?: Logger; readonly timeoutMs?: number } = {}): Promise<NetlinkRelay | undefined> {
    const python = findExecutable('python3');
    if (!python) {
      opts.log?.debug('netlink relay: python3 not found; element updates go through nft');
      return undefined;
    }
    const argv = opts.netns !== undefined ? ['ip', 'netns', 'exec', opts.netns, python, '-c', RELAY_PROGRAM] : [python, '-c', RELAY_PROGRAM];
    const relay = new NetlinkRelay(opts.log);
    const [cmd, ...args] = argv;
    const child = spawn(cmd ?? '', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    relay.child = child;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), opts.timeoutMs ?? 5000);
      child.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.stdout.once('data', (d: Buffer) => {
        clearTimeout(timer);
        if (d[0] !== 0x52) return resolve(false);
        relay.buffered = d.subarray(1);
        resolve(true);
      });
    });
    if (!ready) {
      opts.log?.debug(`netlink relay did not start${stderr ? `: ${stderr.trim().split('\n').at(-1) ?? ''}` : ''}; element updates go through nft`);
      relay.close();
      return undefined;
    }
    child.stdout.on('data', (d: Buffer) => relay.onData(d));
    relay.onData(Buffer.alloc(0));
    child.once('exit', (code, signal) => {
      relay.fail(new Error(`netlink relay exited (${signal ?? code ?? '?'})${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    return relay;
  }

  get alive(): boolean {
    return !this.closed && this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends one batch and its marker; resolves with the first error or success. */
  send(batch: Buffer, marker: Buffer, markerSeq: number): Promise<RelayResult> {
    const child = this.child;
    if (!child || !this.alive) return Promise.reject(new Error('netlink relay is not running'));
    return new Promise<RelayResult>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const head = Buffer.alloc(12);
      head.writeUInt32LE(batch.length, 0);
      head.writeUInt32LE(marker.length, 4);
      head.writeUInt32LE(markerSeq >>> 0, 8);
      child.stdin.write(Buffer.concat([head, batch, marker]));
    });
  }

  private onData(d: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, d]) : d;
    while (this.buffered.length >= 8) {
      const r = { errno: this.buffered.readUInt32LE(0), seq: this.buffered.readUInt32LE(4) };
      this.buffered = this.buffered.subarray(8);
      this.waiting.shift()?.resolve(r);
    }
  }

  private fail(e: Error): void {
    if (!this.closed) this.log?.warn(e.message);
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  /** Stops the relay process (ours, by its PID). */
  close(): void {
    this.closed = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      child.kill('SIGTERM');
    }
    for (const w of this.waiting.splice(0)) w.reject(new Error('netlink relay closed'));
  }
}
