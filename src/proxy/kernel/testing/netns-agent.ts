/**
 * A helper process for the kernel dataplanes' namespace tests: started inside
 * a lab namespace (`ip netns exec NS node --import tsx netns-agent.ts`), it
 * prints `{"ready":true}` and then answers one JSON request per stdin line
 * with one JSON line:
 *
 * - `{op:'serve', name, host, port}`: an echo backend (HTTP /hostname + UDP)
 * - `{op:'http', host, port, n}`: n sequential GET /hostname → `{names, errors}`
 * - `{op:'probe', host, port, timeoutMs}`: one TCP attempt → `{outcome, ms}`
 * - `{op:'udp', host, port, n, socket?}`: n datagrams → `{names, errors}`;
 *   with `socket` (a name) the same local socket is reused across requests,
 *   so the flow keeps its conntrack entry.
 *
 * It only ever talks to addresses inside the lab.
 */
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { type EchoBackend, getHostname, probeTcp, startEchoBackend, udpQuery } from '../../testing/echo-backend.js';

interface Request {
  readonly op: string;
  readonly name?: string;
  readonly host?: string;
  readonly port?: number;
  readonly n?: number;
  readonly timeoutMs?: number;
  readonly socket?: string;
}

const backends: EchoBackend[] = [];
const sockets = new Map<string, dgram.Socket>();

async function socketNamed(name: string): Promise<dgram.Socket> {
  let s = sockets.get(name);
  if (!s) {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, () => r()));
    sockets.set(name, sock);
    s = sock;
  }
  return s;
}

async function handle(req: Request): Promise<unknown> {
  const host = req.host ?? '';
  const port = req.port ?? 0;
  switch (req.op) {
    case 'serve': {
      const b = await startEchoBackend(req.name ?? 'backend', host, port);
      backends.push(b);
      return { ok: true };
    }
    case 'http': {
      const names: string[] = [];
      const errors: string[] = [];
      for (let i = 0; i < (req.n ?? 1); i++) {
        try {
          names.push(await getHostname(host, port, { timeoutMs: req.timeoutMs ?? 2000 }));
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      return { names, errors };
    }
    case 'probe':
      return probeTcp(host, port, req.timeoutMs ?? 2000);
    case 'udp': {
      const names: string[] = [];
      const errors: string[] = [];
      const socket = req.socket ? await socketNamed(req.socket) : undefined;
      for (let i = 0; i < (req.n ?? 1); i++) {
        try {
          names.push(await udpQuery(host, port, { timeoutMs: req.timeoutMs ?? 1000, ...(socket ? { socket } : {}) }));
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      return { names, errors };
    }
    case 'exit':
      for (const b of backends) await b.close();
      for (const s of sockets.values()) s.close();
      setImmediate(() => process.exit(0));
      return { ok: true };
    default:
      return { error: `unknown op ${req.op}` };
  }
}

const rl = createInterface({ input: process.stdin });
// Requests are answered in order, one at a time.
let chain: Promise<void> = Promise.resolve();
rl.on('line', (line) => {
  chain = chain.then(async () => {
    let out: unknown;
    try {
      out = await handle(JSON.parse(line) as Request);
    } catch (e) {
      out = { error: (e as Error).message };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  });
});
rl.on('close', () => process.exit(0));
process.stdout.write('{"ready":true}\n');
