import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { SocketSplice } from './socket-splice.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A proxy on 127.0.0.1 that splices every connection to 127.0.0.1:`backendPort`. */
async function startProxy(backendPort: number): Promise<{ port: number; close: () => void }> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const link = new SocketSplice(client);
    const upstream = net.connect(link.connectOptions('127.0.0.1', backendPort));
    upstream.once('connect', () => link.start(upstream));
  });
  return { port: await listen(server), close: () => server.close() };
}

const cases: { name: string; upload: number; download: number; slowClient: boolean; chunk?: number }[] = [
  { name: 'small request and answer', upload: 100, download: 200, slowClient: false },
  { name: '8 MiB each way (backpressure on both legs)', upload: 8 << 20, download: 8 << 20, slowClient: false },
  { name: '4 MiB answer to a client that stops reading for a while', upload: 10, download: 4 << 20, slowClient: true },
  // Small backend reads that queue behind a full client socket: each must keep its own bytes.
  { name: '4 MiB answer in 1000-byte writes to a stalled client', upload: 10, download: 4 << 20, slowClient: true, chunk: 1000 },
];

for (const c of cases) {
  test(`splice: ${c.name}; bytes arrive intact and FIN travels both ways`, async () => {
    const up = randomBytes(c.upload);
    const down = randomBytes(c.download);
    let received = Buffer.alloc(0);
    // Backend: reads the whole upload (until the client's FIN comes through), then answers and closes.
    const backend = net.createServer({ allowHalfOpen: true }, (s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => {
        received = Buffer.concat(parts);
        if (!c.chunk) return s.end(down);
        const step = c.chunk;
        let off = 0;
        const next = (): void => {
          if (off >= down.length) return void s.end();
          s.write(down.subarray(off, off + step));
          off += step;
          setImmediate(next);
        };
        next();
      });
    });
    const proxy = await startProxy(await listen(backend));
    try {
      const got = await new Promise<Buffer>((resolve, reject) => {
        const sock = net.connect({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true });
        const parts: Buffer[] = [];
        sock.on('error', reject);
        sock.on('data', (d: Buffer) => {
          parts.push(d);
          if (c.slowClient && parts.length === 1) {
            sock.pause();
            setTimeout(() => sock.resume(), 300);
          }
        });
        sock.on('end', () => resolve(Buffer.concat(parts)));
        sock.end(up);
      });
      assert.equal(received.length, up.length);
      assert.equal(sha(received), sha(up));
      assert.equal(got.length, down.length);
      assert.equal(sha(got), sha(down));
    } finally {
      proxy.close();
      backend.close();
    }
  });
}
