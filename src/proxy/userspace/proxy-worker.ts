/**
 * Entry point of a userspace dataplane worker process (forked by WorkerPool
 * with node:cluster). It serves the TCP virtual services the primary sends:
 * every worker listens on the same sockets (the cluster shares the bound
 * handle, each worker accepts on it), picks backends with its own scheduler
 * and splices. Connection counts go back to the primary for `proxy status`.
 * The worker exits when the primary says so or when the IPC channel closes.
 */
import { realClock } from '../../client/clock.js';
import { createLogger } from '../../log/logger.js';
import { type Destroyable, TcpFrontend } from './tcp-frontend.js';
import { VirtualService } from './virtual-service.js';
import type { BackendCounts, FromWorker, ToWorker, WorkerOp, WorkerSettings } from './worker-protocol.js';

interface Served {
  readonly vs: VirtualService;
  readonly tcp: TcpFrontend;
  /** Endpoint IP → address to dial (the primary's address mapping), replaced on update. */
  readonly dial: { map: Readonly<Record<string, string>> };
}

const log = createLogger(`proxy-worker-${process.pid}`);
const served = new Map<number, Served>();
const connections = new Set<Destroyable>();
let settings: WorkerSettings | undefined;
let lastCounts = '';
let queue: Promise<void> = Promise.resolve();

function send(m: FromWorker): void {
  if (process.connected) process.send?.(m);
}

async function apply(op: WorkerOp, s: WorkerSettings): Promise<string | null> {
  const cur = served.get(op.id);
  if (op.op === 'close') {
    cur?.tcp.close();
    served.delete(op.id);
    return null;
  }
  // A replacement worker gets the whole set and may then see a batch repeating part of it: same id → update.
  if (cur) {
    cur.dial.map = op.dial;
    cur.vs.update(op.cfg);
    return null;
  }
  const dial = { map: op.dial };
  const vs = new VirtualService(op.cfg, { clock: realClock, dialAddress: (ip) => dial.map[ip] ?? ip, inactiveLingerMs: s.inactiveLingerMs });
  const tcp = new TcpFrontend(vs, { log, dialTimeoutsMs: s.dialTimeoutsMs, connections });
  try {
    await tcp.listen();
  } catch (err) {
    return (err as Error).message;
  }
  served.set(op.id, { vs, tcp, dial });
  return null;
}

/** Sends the counts when they changed since the last report (closed connections also age out of InActConn). */
function reportCounts(): void {
  const counts: Record<string, BackendCounts[]> = {};
  for (const [id, e] of served) {
    const rs = e.vs.status().realServers.filter((r) => r.activeConns > 0 || r.inactiveConns > 0);
    if (rs.length > 0) counts[id] = rs.map((r) => [r.address, r.port, r.activeConns, r.inactiveConns]);
  }
  const text = JSON.stringify(counts);
  if (text === lastCounts) return;
  lastCounts = text;
  send({ type: 'switchyard:counts', counts });
}

process.on('message', (raw: unknown) => {
  const m = raw as ToWorker;
  switch (m?.type) {
    case 'switchyard:init': {
      settings = m.settings;
      setInterval(reportCounts, m.settings.countsIntervalMs).unref();
      return;
    }
    case 'switchyard:apply': {
      const s = settings;
      if (!s) return;
      // Batches are applied one after the other, ops in order (a close may free a port a later open binds).
      queue = queue.then(async () => {
        const errors: (string | null)[] = [];
        for (const op of m.ops) errors.push(await apply(op, s));
        send({ type: 'switchyard:applied', batch: m.batch, errors });
        reportCounts();
      });
      return;
    }
    case 'switchyard:shutdown': {
      for (const e of served.values()) e.tcp.close();
      served.clear();
      for (const c of connections) c.destroy();
      process.exit(0);
    }
  }
});

send({ type: 'switchyard:ready' });
