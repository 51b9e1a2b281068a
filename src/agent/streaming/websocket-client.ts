/**
 * The client side of a WebSocket handshake over an already connected socket (TCP or TLS),
 * for tests and tools that talk to our own exec endpoints. Resolves with the connection on
 * 101, or with the HTTP status and body when the server refused the upgrade.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { acceptKey, WebSocketConnection } from './websocket.js';

export type ClientHandshake =
  | { readonly ok: true; readonly ws: WebSocketConnection; readonly protocol: string }
  | { readonly ok: false; readonly status: number; readonly headers: Record<string, string>; readonly body: string };

export function openWebSocket(
  socket: Duplex,
  opts: { readonly path: string; readonly host: string; readonly protocols: readonly string[]; readonly headers?: Record<string, string> },
): Promise<ClientHandshake> {
  const key = randomBytes(16).toString('base64');
  const extra = Object.entries(opts.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(
    `GET ${opts.path} HTTP/1.1\r\nHost: ${opts.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${opts.protocols.join(', ')}\r\n${extra}\r\n`,
  );
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let head: { status: number; headers: Record<string, string>; rest: Buffer } | undefined;
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (!head) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number((lines[0] ?? '').split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        head = { status, headers, rest: buf.subarray(end + 4) };
        if (status === 101) {
          socket.off('data', onData);
          socket.off('end', onEnd);
          if (headers['sec-websocket-accept'] !== acceptKey(key)) {
            reject(new Error('bad Sec-WebSocket-Accept'));
            return;
          }
          const protocol = headers['sec-websocket-protocol'] ?? '';
          resolve({ ok: true, protocol, ws: new WebSocketConnection(socket, 'client', protocol, head.rest) });
          return;
        }
        buf = head.rest;
      }
      const len = Number(head.headers['content-length'] ?? NaN);
      if (Number.isFinite(len) && buf.length >= len) finish();
    };
    const finish = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      if (!head) {
        reject(new Error('connection closed before a response'));
        return;
      }
      resolve({ ok: false, status: head.status, headers: head.headers, body: buf.toString('utf8') });
      socket.destroy();
    };
    const onEnd = (): void => finish();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.once('error', reject);
  });
}
