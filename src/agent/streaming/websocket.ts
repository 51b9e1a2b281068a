/**
 * A small RFC 6455 WebSocket implementation for the remote-command streams: the server side
 * handshake, frame encoding/decoding, fragmented messages, ping/pong and the close handshake.
 * No extensions (permessage-deflate is never negotiated). The client side (masked frames)
 * exists for tests and tools that talk to our own endpoints.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;

/** The largest message we accept (stdin chunks and resize messages are small). */
const DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Encode one frame; `mask` (4 bytes) is required from clients and forbidden from servers. */
export function encodeFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; mask?: Buffer } = {}): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  let header: Buffer;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = len;
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  if (!opts.mask) return Buffer.concat([header, payload]);
  header[1] = (header[1] ?? 0) | 0x80;
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = (payload[i] ?? 0) ^ (opts.mask[i & 3] ?? 0);
  return Buffer.concat([header, opts.mask, masked]);
}

export class FrameError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Incremental frame decoder. `push` bytes as they arrive; it returns the complete frames
 * (payloads unmasked). `requireMask`: servers must reject unmasked client frames, clients
 * must reject masked server frames.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly requireMask: boolean,
    private readonly maxPayload = DEFAULT_MAX_MESSAGE,
  ) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      const f = this.next();
      if (!f) return frames;
      frames.push(f);
    }
  }

  private next(): Frame | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const b0 = b[0] ?? 0;
    const b1 = b[1] ?? 0;
    if (b0 & 0x70) throw new FrameError(CloseCode.ProtocolError, 'reserved bits set without an extension');
    const masked = (b1 & 0x80) !== 0;
    if (masked !== this.requireMask) throw new FrameError(CloseCode.ProtocolError, masked ? 'unexpected masked frame' : 'client frames must be masked');
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxPayload)) throw new FrameError(CloseCode.MessageTooBig, 'frame too large');
      len = Number(big);
      off = 10;
    }
    if (len > this.maxPayload) throw new FrameError(CloseCode.MessageTooBig, 'frame too large');
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= 0x8 && (!fin || len > 125)) throw new FrameError(CloseCode.ProtocolError, 'invalid control frame');
    const maskLen = masked ? 4 : 0;
    if (b.length < off + maskLen + len) return undefined;
    let payload = Buffer.from(b.subarray(off + maskLen, off + maskLen + len));
    if (masked) {
      const mask = b.subarray(off, off + 4);
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
    } else {
      payload = Buffer.from(payload);
    }
    this.buf = b.subarray(off + maskLen + len);
    return { fin, opcode, payload };
  }
}

export interface WebSocketEvents {
  message: [data: Buffer, binary: boolean];
  close: [code: number, reason: string];
}

/**
 * A WebSocket over an upgraded socket. Emits 'message' for each complete data message and
 * 'close' once (after the close handshake, an error, or the socket ending). Pings are answered.
 */
export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  private readonly decoder: FrameDecoder;
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private closeSent = false;
  private closed = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: Duplex,
    private readonly role: 'server' | 'client',
    readonly protocol: string,
    head?: Buffer,
  ) {
    super();
    this.decoder = new FrameDecoder(role === 'server');
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => this.finish(CloseCode.GoingAway, 'connection ended'));
    socket.on('close', () => this.finish(CloseCode.GoingAway, 'connection closed'));
    socket.on('error', () => this.finish(CloseCode.GoingAway, 'connection error'));
    // Bytes that came with the handshake: delivered on the next turn, once listeners are attached.
    if (head?.length) setImmediate(() => this.onData(head));
  }

  get isOpen(): boolean {
    return !this.closed && !this.closeSent;
  }

  private writeFrame(opcode: number, payload: Buffer): boolean {
    if (this.closed || this.socket.destroyed) return false;
    const mask = this.role === 'client' ? randomBytes(4) : undefined;
    return this.socket.write(encodeFrame(opcode, payload, { mask }));
  }

  /** Send one binary message. Returns false once the connection is closing or closed. */
  send(data: Buffer): boolean {
    if (!this.isOpen) return false;
    return this.writeFrame(Opcode.Binary, data);
  }

  sendText(text: string): boolean {
    if (!this.isOpen) return false;
    return this.writeFrame(Opcode.Text, Buffer.from(text));
  }

  ping(data = Buffer.alloc(0)): void {
    if (this.isOpen) this.writeFrame(Opcode.Ping, data);
  }

  /** Start the close handshake; the socket is ended when the peer answers (or after 2 s). */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.closeSent || this.closed) return;
    this.closeSent = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.writeFrame(Opcode.Close, payload);
    this.closeTimer = setTimeout(() => {
      this.socket.destroy();
      this.finish(code, reason);
    }, 2000);
    this.closeTimer.unref();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      const code = e instanceof FrameError ? e.closeCode : CloseCode.ProtocolError;
      this.close(code, (e as Error).message);
      this.socket.end();
      this.finish(code, (e as Error).message);
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    switch (f.opcode) {
      case Opcode.Ping:
        this.writeFrame(Opcode.Pong, f.payload);
        return;
      case Opcode.Pong:
        return;
      case Opcode.Close: {
        const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        const reason = f.payload.length > 2 ? f.payload.subarray(2).toString('utf8') : '';
        if (!this.closeSent) {
          this.closeSent = true;
          this.writeFrame(Opcode.Close, f.payload.length >= 2 ? f.payload.subarray(0, 2) : Buffer.alloc(0));
        }
        this.socket.end();
        this.finish(code, reason);
        return;
      }
      case Opcode.Text:
      case Opcode.Binary:
        if (this.fragments.length) {
          this.close(CloseCode.ProtocolError, 'new message inside a fragmented one');
          return;
        }
        if (f.fin) {
          this.emit('message', f.payload, f.opcode === Opcode.Binary);
          return;
        }
        this.fragmentOpcode = f.opcode;
        this.fragments = [f.payload];
        return;
      case Opcode.Continuation:
        if (!this.fragments.length) {
          this.close(CloseCode.ProtocolError, 'continuation without a message');
          return;
        }
        this.fragments.push(f.payload);
        if (f.fin) {
          const data = Buffer.concat(this.fragments);
          this.fragments = [];
          this.emit('message', data, this.fragmentOpcode === Opcode.Binary);
        }
        return;
      default:
        this.close(CloseCode.ProtocolError, `unknown opcode ${f.opcode}`);
    }
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.emit('close', code, reason);
  }
}

export type HandshakeResult =
  | { readonly ok: true; readonly protocol: string }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** Comma-separated header values, trimmed (`Sec-WebSocket-Protocol: a, b`). */
export function headerList(v: string | string[] | undefined): string[] {
  const all = Array.isArray(v) ? v.join(',') : (v ?? '');
  return all
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Check a client's upgrade request and pick the first subprotocol it offers that we support
 * (the client's order is its preference).
 */
export function checkHandshake(req: IncomingMessage, supported: readonly string[]): HandshakeResult {
  const upgrade = headerList(req.headers.upgrade).map((s) => s.toLowerCase());
  if (!upgrade.includes('websocket')) return { ok: false, status: 400, message: 'expected a WebSocket upgrade request' };
  if (req.headers['sec-websocket-version'] !== '13') return { ok: false, status: 426, message: 'unsupported WebSocket version (need 13)' };
  if (!req.headers['sec-websocket-key']) return { ok: false, status: 400, message: 'missing Sec-WebSocket-Key' };
  const offered = headerList(req.headers['sec-websocket-protocol']);
  const protocol = offered.find((p) => supported.includes(p));
  if (!protocol) {
    return { ok: false, status: 400, message: `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]` };
  }
  return { ok: true, protocol };
}

/** Answer the upgrade with 101 and return the connection. Call after checkHandshake said ok. */
export function completeHandshake(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): WebSocketConnection {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
      (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
      '\r\n',
  );
  if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') (socket as import('node:net').Socket).setNoDelay(true);
  return new WebSocketConnection(socket, 'server', protocol, head);
}

/** Write a plain HTTP error response on a socket that asked for an upgrade, then end it. */
export function writeHttpError(socket: Duplex, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  if (socket.destroyed) return;
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 426: 'Upgrade Required', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
