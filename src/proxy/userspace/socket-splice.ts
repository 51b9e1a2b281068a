/**
 * Byte forwarding between an accepted client socket and its backend socket,
 * without `pipe()`: most of a proxy's CPU goes into Node's stream layer, so the
 * backend leg reads with `onread` into one reused buffer per connection (no
 * Readable buffering, no per-read allocation) and the client leg uses plain
 * 'data' events. Backpressure is explicit: a leg whose peer's write() returns
 * false is paused until the peer's 'drain' (those listeners are only added
 * the first time that happens). FIN is forwarded (half-close), like pipe()
 * does; when the peer has already sent its own FIN and nothing is queued, the
 * socket is closed instead of shut down first (same FIN on the wire, one
 * syscall and one libuv request less).
 */
import type net from 'node:net';

/** Per-connection read buffer of the backend leg (HAProxy's default tune.bufsize is 16 KiB too). */
export const SPLICE_BUFFER_BYTES = 16 * 1024;

/** Read buffers of finished connections, handed to new ones (bounded: 4 MiB). */
const spareBuffers: Buffer[] = [];
const SPARE_BUFFERS_MAX = 256;

/**
 * Ends the writable side of `s` (sends FIN). A socket whose readable side has
 * ended too is closed right away when nothing is queued: Node would close it
 * after the shutdown anyway, and the kernel sends the FIN on close just the same.
 */
function endWrites(s: net.Socket): void {
  if (s.destroyed) return;
  if (s.readableEnded && s.writableLength === 0) s.destroy();
  else s.end();
}

export class SocketSplice {
  protected readonly client: net.Socket;
  protected upstream: net.Socket | undefined;
  private buf: Buffer | undefined;
  private upstreamDrainHooked = false;
  private clientDrainHooked = false;

  constructor(client: net.Socket) {
    this.client = client;
  }

  /**
   * Options for `net.connect` to the backend: its bytes land in this splice's
   * buffer and go straight to the client once `start` has been called. May be
   * called again for another attempt when a connect failed (the buffer is
   * shared: a failed attempt never reads).
   */
  connectOptions(host: string, port: number): net.NetConnectOpts {
    this.buf ??= spareBuffers.pop() ?? Buffer.allocUnsafe(SPLICE_BUFFER_BYTES);
    return {
      host,
      port,
      allowHalfOpen: true,
      // Each chunk is forwarded as it arrives: Nagle on either leg would hold a second small write back
      // until the peer's (possibly delayed) ACK, adding up to ~40 ms; HAProxy sets TCP_NODELAY too.
      noDelay: true,
      onread: { buffer: this.nextBuffer, callback: this.fromUpstream },
    };
  }

  /**
   * Starts forwarding both ways; `upstream` is the connected socket made with
   * `connectOptions`, `client` was accepted paused. Each side's end is
   * forwarded as a FIN to the other.
   */
  start(upstream: net.Socket): void {
    const client = this.client;
    this.upstream = upstream;
    // A no-op when the server already set it on accept (net.createServer({ noDelay: true })).
    client.setNoDelay(true);
    client.on('data', this.fromClient);
    client.on('end', this.onClientEnd);
    upstream.on('end', this.onUpstreamEnd);
    client.resume();
  }

  /**
   * Call once both sockets have closed: the read buffer goes back to the
   * spare list (it is never the target of a queued write, see fromUpstream).
   */
  protected release(): void {
    const b = this.buf;
    this.buf = undefined;
    if (b !== undefined && spareBuffers.length < SPARE_BUFFERS_MAX) spareBuffers.push(b);
  }

  /** Called on the first FIN from either side (subclasses count half-closed connections). */
  protected halfClosed(): void {}

  private readonly nextBuffer = (): Buffer => {
    this.buf ??= Buffer.allocUnsafe(SPLICE_BUFFER_BYTES);
    return this.buf;
  };

  private readonly fromClient = (chunk: Buffer): void => {
    const upstream = this.upstream;
    if (upstream === undefined || upstream.write(chunk)) return;
    this.client.pause();
    if (!this.upstreamDrainHooked) {
      this.upstreamDrainHooked = true;
      upstream.on('drain', () => this.client.resume());
    }
  };

  /** Always true: a full client queue pauses the backend leg until 'drain' (pause() knows onread sockets). */
  private readonly fromUpstream = (n: number, b: Uint8Array): boolean => {
    const client = this.client;
    if (client.destroyed) return true;
    const ok = client.write(n === b.length ? b : b.subarray(0, n));
    // Usually the bytes went to the kernel synchronously. If any are still queued they reference
    // this buffer, so the next read needs a fresh one (the generator hands it out after this call).
    if (client.writableLength > 0) this.buf = Buffer.allocUnsafe(SPLICE_BUFFER_BYTES);
    if (!ok) {
      const upstream = this.upstream;
      upstream?.pause();
      if (upstream !== undefined && !this.clientDrainHooked) {
        this.clientDrainHooked = true;
        client.on('drain', () => this.upstream?.resume());
      }
    }
    return true;
  };

  private readonly onClientEnd = (): void => {
    this.halfClosed();
    if (this.upstream !== undefined) endWrites(this.upstream);
  };

  private readonly onUpstreamEnd = (): void => {
    this.halfClosed();
    endWrites(this.client);
  };
}
