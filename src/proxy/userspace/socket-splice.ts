/**
 * Byte forwarding between an accepted client socket and its backend socket,
 * without `pipe()`: most of a proxy's CPU goes into Node's stream layer, so the
 * backend leg reads with `onread` into one reused buffer per connection (no
 * Readable buffering, no per-read allocation) and the client leg uses plain
 * 'data' events. Backpressure is explicit: a leg whose peer's write() returns
 * false is paused until the peer's 'drain'. FIN is forwarded (half-close), like
 * pipe() does.
 */
import type net from 'node:net';

/** Per-connection read buffer of the backend leg (HAProxy's default tune.bufsize is 16 KiB too). */
export const SPLICE_BUFFER_BYTES = 16 * 1024;

export class SocketSplice {
  private readonly client: net.Socket;
  private upstream: net.Socket | undefined;
  private buf: Buffer = Buffer.allocUnsafe(SPLICE_BUFFER_BYTES);

  constructor(client: net.Socket) {
    this.client = client;
  }

  /**
   * Options for `net.connect` to the backend: its bytes land in this splice's
   * buffer and go straight to the client once `start` has been called.
   */
  connectOptions(host: string, port: number): net.NetConnectOpts {
    return {
      host,
      port,
      allowHalfOpen: true,
      // Each chunk is forwarded as it arrives: Nagle on either leg would hold a second small write back
      // until the peer's (possibly delayed) ACK, adding up to ~40 ms; HAProxy sets TCP_NODELAY too.
      noDelay: true,
      onread: { buffer: () => this.buf, callback: (n: number, b: Uint8Array) => this.fromUpstream(n, b as Buffer) },
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
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.resume();
  }

  /** Always true: a full client queue pauses the backend leg until 'drain' (pause() knows onread sockets). */
  private fromUpstream(n: number, b: Buffer): boolean {
    const client = this.client;
    if (client.destroyed) return true;
    const ok = client.write(n === b.length ? b : b.subarray(0, n));
    // Usually the bytes went to the kernel synchronously. If any are still queued they reference
    // this buffer, so the next read needs a fresh one (the generator hands it out after this call).
    if (client.writableLength > 0) this.buf = Buffer.allocUnsafe(SPLICE_BUFFER_BYTES);
    if (!ok) this.upstream?.pause();
    return true;
  }
}
