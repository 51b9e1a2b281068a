/**
 * Entry point of a DNS worker process (forked by dns-workers.ts through node:cluster): keeps a
 * replica of the primary's cluster index from IPC and answers queries on the UDP and TCP sockets
 * it shares with the other workers (the cluster module hands every worker the same bound socket,
 * and the kernel gives each datagram to whichever worker reads first).
 */
import type { Logger, LogLevel } from '../log/logger.js';
import { ClusterIndex } from './kubernetes/cluster-index.js';
import { DnsServer } from './server.js';
import { buildServing, type Serving } from './serving.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

function send(m: FromWorker): void {
  process.send?.(m);
}

/** Sends `m`, then exits once it has been written (a plain exit could drop it). */
function sendAndExit(m: FromWorker, code: number): void {
  process.send?.(m, undefined, {}, () => process.exit(code));
}

/** Log lines go to the primary, which writes them with its own logger. */
function ipcLogger(component: string): Logger {
  const emit = (level: LogLevel) => (msg: string) => send({ t: 'log', level, component, msg });
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (c) => ipcLogger(c) };
}

const log = ipcLogger('dns');
const index = new ClusterIndex();
let synced = false;
let serving: Serving | undefined;
let server: DnsServer | undefined;

async function start(m: Extract<ToWorker, { t: 'start' }>): Promise<void> {
  serving = buildServing(m.cfg, index, () => synced, log);
  server = new DnsServer({ host: m.cfg.host, port: m.cfg.port, tcpPort: m.tcpPort, handler: serving.handler, log });
  try {
    const bound = await server.listen();
    send({ t: 'listening', port: bound.port });
  } catch (err) {
    sendAndExit({ t: 'failed', message: err instanceof Error ? err.message : String(err) }, 1);
  }
}

async function close(): Promise<void> {
  serving?.forwarder.close();
  await server?.close();
  process.exit(0);
}

process.on('message', (raw: unknown) => {
  const m = raw as ToWorker;
  switch (m.t) {
    case 'start':
      void start(m);
      break;
    case 'ops':
      index.apply(m.ops);
      break;
    case 'synced':
      synced = true;
      break;
    case 'metrics':
      if (serving) send({ t: 'metrics', id: m.id, snapshot: serving.metrics.snapshot() });
      break;
    case 'close':
      void close();
      break;
  }
});
// When the primary goes away, node:cluster exits this process.
send({ t: 'hello' });
