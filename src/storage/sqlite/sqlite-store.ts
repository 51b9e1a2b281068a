import { closeSync, constants as fsConstants, fdatasync, fstatSync, openSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions, WatchStart, WriteResult } from '../store.js';
import { EventHistory } from '../core/event-history.js';
import { listFromIndex } from '../core/snapshot-list.js';
import { KeyIndex } from '../core/key-index.js';
import { WatchHub } from '../core/watch-hub.js';
import { keyValue, planWrite, type WriteOp, type WritePlan } from '../core/write-plan.js';

export interface SqliteStoreOptions {
  /** Milliseconds between automatic compactions; 0 disables them. Default 60,000. */
  readonly compactEvery?: number;
  /** Events kept by the automatic compactor (and in the in-memory replay ring). Default 10,000. */
  readonly keepHistory?: number;
}

/** Log rows deleted per compaction transaction; the event loop runs between batches. */
const COMPACT_BATCH = 1_000;

/*
 * kv holds the current value of every key; log holds one row per revision
 * (the watch history), its rowid being the revision as in kine. meta keeps
 * current_rev so a revision is never reused, even when compaction has
 * deleted the newest log rows' predecessors or the newest key was deleted.
 * For delete rows prev_value is NULL: the previous value is `value`.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  mod_rev INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('put', 'delete')),
  value TEXT NOT NULL,
  prev_value TEXT,
  create_rev INTEGER NOT NULL,
  prev_mod_rev INTEGER
);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

interface KvRow {
  key: string;
  value: string;
  create_rev: number;
  mod_rev: number;
}

interface LogRow {
  rev: number;
  key: string;
  type: string;
  value: string;
  prev_value: string | null;
  create_rev: number;
  prev_mod_rev: number | null;
}

interface QueuedWrite {
  readonly plan: WritePlan;
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (err: unknown) => void;
}

/** A committed transaction waiting for its WAL fsync before it is applied and acknowledged. */
interface CommittedBatch {
  readonly writes: QueuedWrite[];
  readonly events: WatchEvent[];
}

/** A value staged by a queued or committed-but-unsynced write, with the revision that staged it. */
interface StagedValue {
  readonly kv: KeyValue | null;
  readonly revision: number;
}

type Db = Database.Database;

/** Prepared statements, compiled once per connection. */
class Statements {
  readonly insertKv;
  readonly updateKv;
  readonly deleteKv;
  readonly insertLog;
  readonly setMeta;
  readonly getMeta;
  readonly minLogRev;
  readonly maxLogRev;
  readonly maxKvRev;
  readonly deleteLogThrough;
  readonly allKv;
  readonly recentLog;
  readonly logRange;

  constructor(db: Db) {
    this.insertKv = db.prepare<[string, string, number, number]>(
      'INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)',
    );
    this.updateKv = db.prepare<[string, number, string]>('UPDATE kv SET value = ?, mod_rev = ? WHERE key = ?');
    this.deleteKv = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
    this.insertLog = db.prepare<[number, string, string, string, string | null, number, number | null]>(
      'INSERT INTO log (rev, key, type, value, prev_value, create_rev, prev_mod_rev) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.setMeta = db.prepare<[string, number]>(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
    this.getMeta = db.prepare<[string], number>('SELECT value FROM meta WHERE name = ?').pluck();
    this.minLogRev = db.prepare<[], number | null>('SELECT min(rev) FROM log').pluck();
    this.maxLogRev = db.prepare<[], number | null>('SELECT max(rev) FROM log').pluck();
    this.maxKvRev = db.prepare<[], number | null>('SELECT max(mod_rev) FROM kv').pluck();
    this.deleteLogThrough = db.prepare<[number]>('DELETE FROM log WHERE rev <= ?');
    this.allKv = db.prepare<[], KvRow>('SELECT key, value, create_rev, mod_rev FROM kv');
    this.recentLog = db.prepare<[number, number], LogRow>(
      'SELECT * FROM (SELECT * FROM log WHERE rev > ? ORDER BY rev DESC LIMIT ?) ORDER BY rev',
    );
    this.logRange = db.prepare<[number, number], LogRow>('SELECT * FROM log WHERE rev > ? AND rev <= ? ORDER BY rev');
  }
}

/**
 * The embedded default Store: a SQLite file in WAL mode, with every current
 * value also held in memory so reads never touch disk. This process must be
 * the file's only user; the connection takes SQLite's exclusive lock, so a
 * second server on the same file fails at open instead of diverging.
 *
 * Writes are group-committed: all writes issued in one event-loop turn are
 * checked in order against the state including the writes queued before them
 * and committed in one transaction on setImmediate. The WAL is then fsynced
 * (fdatasync) on libuv's thread pool rather than inside the commit
 * (synchronous = NORMAL, plus our own sync after every commit: the durability
 * of synchronous = FULL without blocking the event loop for the disk), one
 * sync at a time covering every transaction committed before it started. Only
 * once a transaction is synced are its writes applied to memory, resolved and
 * published to watchers, so readers never see a write that a crash could undo.
 * If the transaction fails, every write of the batch rejects and nothing is
 * applied.
 */
export class SqliteStore implements Store {
  readonly description: string;
  private readonly db: Db;
  private readonly stmt: Statements;
  private readonly index = new KeyIndex();
  private readonly history: EventHistory;
  private readonly hub = new WatchHub();
  private readonly keepHistory: number;
  private revision: number;
  private compacted: number;

  /** Values as they will be once the queued and unsynced writes apply; kv null = deleted. */
  private readonly staged = new Map<string, StagedValue>();
  private stagedRevision: number;
  private queue: QueuedWrite[] = [];
  private flushTimer: NodeJS.Immediate | undefined;

  /** The WAL file, fsynced after commits; undefined for an in-memory database. */
  private readonly walPath: string | undefined;
  private walFd: number | undefined;
  /** Committed transactions whose sync has not started yet. */
  private committed: CommittedBatch[] = [];
  private syncing = false;
  /** The batches whose sync is running. */
  private syncingGroup: CommittedBatch[] = [];
  private syncIdle: (() => void)[] = [];

  private compactTimer: NodeJS.Timeout | undefined;
  private compactChain: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * Opens (creating if needed) the database file and loads its current values
   * and recent history into memory. Throws if the file is in use by another
   * connection or is not a database.
   */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const db = new Database(file);
    try {
      return new SqliteStore(db, file, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(db: Db, file: string, options: SqliteStoreOptions) {
    this.db = db;
    this.description = file === ':memory:' ? 'sqlite://:memory:' : `sqlite://${resolvePath(file)}`;
    this.keepHistory = Math.max(1, options.keepHistory ?? 10_000);

    // Exclusive locking first, so WAL keeps its index in heap memory and no other
    // process can open the file behind our in-memory copy.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && file !== ':memory:') throw new Error(`${file}: could not enable WAL (journal_mode=${String(mode)})`);
    db.exec(SCHEMA);
    if (file !== ':memory:') {
      // NORMAL syncs the WAL only around checkpoints; every commit is synced by
      // syncCommitted, off the event loop, before it is acknowledged. Together that
      // is FULL's guarantee: an acknowledged write survives kill -9 and power loss.
      db.pragma('synchronous = NORMAL');
      this.walPath = `${resolvePath(file)}-wal`;
      this.walFd = this.openWal();
    } else {
      db.pragma('synchronous = FULL');
    }
    this.stmt = new Statements(db);

    const loaded = db.transaction(() => {
      const compacted = this.stmt.getMeta.get('compact_rev') ?? 0;
      const revision = Math.max(
        this.stmt.getMeta.get('current_rev') ?? 0,
        this.stmt.maxLogRev.get() ?? 0,
        this.stmt.maxKvRev.get() ?? 0,
        compacted,
      );
      const kvs = this.stmt.allKv.all().map((r) => keyValue(r.key, r.value, r.create_rev, r.mod_rev));
      const recent = this.stmt.recentLog.all(compacted, this.keepHistory).map(logRowToEvent);
      return { compacted, revision, kvs, recent };
    })();

    this.revision = loaded.revision;
    this.stagedRevision = loaded.revision;
    this.compacted = loaded.compacted;
    this.index.load(loaded.kvs);
    // Revisions are dense above the compact revision, so the ring is complete above
    // the revision just before its oldest event.
    const first = loaded.recent[0];
    const coveredAfter =
      loaded.recent.length < this.keepHistory || first === undefined ? loaded.compacted : first.kv.modRevision - 1;
    this.history = new EventHistory(this.keepHistory, coveredAfter);
    this.history.append(loaded.recent);

    const every = options.compactEvery ?? 60_000;
    if (every > 0) {
      this.compactTimer = setInterval(() => this.autoCompact(), every);
      this.compactTimer.unref();
    }
  }

  currentRevision(): number {
    return this.revision;
  }

  compactRevision(): number {
    return this.compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    return this.index.get(key);
  }

  async list(options: ListOptions): Promise<ListResult> {
    this.assertOpen();
    return listFromIndex(options, {
      index: this.index,
      revision: this.revision,
      compacted: this.compacted,
      eventsAfter: (after, prefix) => this.history.since(after, prefix) ?? this.readLog(after, this.revision, prefix),
    });
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    return this.index.count(prefix);
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    return this.enqueue({ kind: 'update', key, value, expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    return this.enqueue(
      expectedModRevision === undefined ? { kind: 'delete', key } : { kind: 'delete', key, expectedModRevision },
    );
  }

  watch(options: WatchOptions, onEvents: (events: readonly WatchEvent[]) => void): WatchStart {
    this.assertOpen();
    const { prefix, afterRevision } = options;
    if (afterRevision < this.compacted) return { ok: false, reason: 'compacted', compactRevision: this.compacted };
    let replay: WatchEvent[] = [];
    if (afterRevision < this.revision) {
      replay = this.history.since(afterRevision, prefix) ?? this.readLog(afterRevision, this.revision, prefix);
    }
    return { ok: true, cancel: this.hub.register(prefix, afterRevision, replay, onEvents) };
  }

  /**
   * Drops history at or below `revision` (clamped to the current revision).
   * Watchers asking for older revisions fail from now on; the log rows are
   * deleted in batches, yielding to the event loop between them.
   */
  compact(revision: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.description}: store is closed`));
    const run = this.compactChain.then(() => this.runCompaction(revision));
    this.compactChain = run.catch(() => undefined);
    return run;
  }

  /** Commits queued writes, stops the compactor, cancels watchers and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer !== undefined) {
      clearImmediate(this.flushTimer);
      this.flush();
    }
    this.closed = true;
    if (this.compactTimer !== undefined) clearInterval(this.compactTimer);
    if (this.syncing || this.committed.length > 0) await new Promise<void>((resolve) => this.syncIdle.push(resolve));
    await this.compactChain;
    this.hub.cancelAll();
    this.db.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
  }

  private enqueue(op: WriteOp): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error(`${this.description}: store is closed`));
    const staged = this.staged.get(op.key);
    const current = staged === undefined ? this.index.get(op.key) : (staged.kv ?? undefined);
    const plan = planWrite(op, current, this.stagedRevision + 1);
    if (plan.event !== undefined) {
      this.stagedRevision++;
      this.staged.set(op.key, { kv: plan.event.type === 'delete' ? null : plan.event.kv, revision: this.stagedRevision });
    }
    // Failed checks wait for the batch too: they were decided against writes
    // that are not durable yet, and must not be answered before those are.
    const done = new Promise<WriteResult>((resolve, reject) => this.queue.push({ plan, resolve, reject }));
    this.flushTimer ??= setImmediate(() => this.flush());
    return done;
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = this.queue;
    this.queue = [];
    const events: WatchEvent[] = [];
    for (const w of batch) if (w.plan.event !== undefined) events.push(w.plan.event);
    try {
      if (events.length > 0) this.persist(events);
    } catch (err) {
      this.unstageFailedBatch();
      for (const w of batch) w.reject(err);
      return;
    }
    if (this.walFd === undefined || events.length === 0) {
      // Nothing to sync (in-memory database, or only failed checks) — but a batch
      // must not overtake earlier ones still waiting for their sync.
      if (!this.syncing && this.committed.length === 0) return this.apply({ writes: batch, events });
    }
    this.committed.push({ writes: batch, events });
    if (!this.syncing) this.syncCommitted();
  }

  /** Syncs the WAL for every committed batch, then applies them in order; repeats while more arrive. */
  private syncCommitted(): void {
    const group = this.committed;
    this.committed = [];
    this.syncingGroup = group;
    if (group.length === 0 || this.walFd === undefined) {
      for (const b of group) this.apply(b);
      this.syncing = false;
      const idle = this.syncIdle;
      this.syncIdle = [];
      for (const done of idle) done();
      return;
    }
    this.syncing = true;
    const fd = this.currentWalFd();
    fdatasync(fd, (err) => {
      this.syncingGroup = [];
      for (const b of group) this.apply(b, err ?? undefined);
      this.syncCommitted();
    });
  }

  /**
   * Makes a committed batch visible: memory, history, acknowledgements, watchers.
   * A failed WAL sync still applies it (the transaction is in the database) but
   * rejects its writes: their durability is unknown.
   */
  private apply(b: CommittedBatch, syncError?: Error): void {
    for (const e of b.events) {
      const staged = this.staged.get(e.kv.key);
      if (staged !== undefined && staged.revision === e.kv.modRevision) this.staged.delete(e.kv.key);
      if (e.type === 'delete') this.index.remove(e.kv.key);
      else this.index.put(e.kv);
    }
    const last = b.events[b.events.length - 1];
    if (last !== undefined) this.revision = last.kv.modRevision;
    this.history.append(b.events);
    for (const w of b.writes) {
      if (syncError !== undefined && w.plan.event !== undefined) w.reject(syncError);
      else w.resolve(w.plan.result);
    }
    this.hub.publish(b.events);
  }

  /** After a failed transaction: the staged state is the applied state plus the unsynced batches. */
  private unstageFailedBatch(): void {
    this.staged.clear();
    this.stagedRevision = this.revision;
    for (const b of [...this.syncingGroup, ...this.committed]) {
      for (const e of b.events) {
        this.staged.set(e.kv.key, { kv: e.type === 'delete' ? null : e.kv, revision: e.kv.modRevision });
        this.stagedRevision = e.kv.modRevision;
      }
    }
  }

  private openWal(): number {
    // O_CREAT: SQLite creates the WAL on the first write; an empty WAL is a valid one.
    return openSync(this.walPath as string, fsConstants.O_RDONLY | fsConstants.O_CREAT, 0o600);
  }

  /** The WAL's descriptor, reopened if the file was replaced (SQLite keeps it while open, but be sure). */
  private currentWalFd(): number {
    const fd = this.walFd as number;
    try {
      if (fstatSync(fd).ino === statSync(this.walPath as string).ino) return fd;
    } catch {
      // fall through and reopen
    }
    closeSync(fd);
    this.walFd = this.openWal();
    return this.walFd;
  }

  private persist(events: readonly WatchEvent[]): void {
    const s = this.stmt;
    this.db.transaction(() => {
      for (const e of events) {
        const { key, value, createRevision, modRevision } = e.kv;
        const prev = e.prevKv;
        if (e.type === 'delete') {
          s.deleteKv.run(key);
          s.insertLog.run(modRevision, key, 'delete', value, null, createRevision, prev?.modRevision ?? null);
        } else if (prev === undefined) {
          s.insertKv.run(key, value, createRevision, modRevision);
          s.insertLog.run(modRevision, key, 'put', value, null, createRevision, null);
        } else {
          s.updateKv.run(value, modRevision, key);
          s.insertLog.run(modRevision, key, 'put', value, prev.value, createRevision, prev.modRevision);
        }
      }
      s.setMeta.run('current_rev', (events[events.length - 1] as WatchEvent).kv.modRevision);
    })();
  }

  private async runCompaction(revision: number): Promise<void> {
    if (this.closed) return;
    const target = Math.min(Math.floor(revision), this.revision);
    if (target > this.compacted) {
      this.stmt.setMeta.run('compact_rev', target);
      this.compacted = target;
      this.history.dropThrough(target);
    }
    // Also removes rows left behind by a compaction interrupted by a crash.
    for (;;) {
      const min = this.stmt.minLogRev.get() ?? null;
      if (min === null || min > this.compacted) return;
      this.stmt.deleteLogThrough.run(Math.min(min + COMPACT_BATCH - 1, this.compacted));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closed) return;
    }
  }

  private autoCompact(): void {
    const target = this.revision - this.keepHistory;
    if (target <= this.compacted || this.closed) return;
    this.compact(target).catch((err: unknown) => {
      process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'CompactionError');
    });
  }

  /** History beyond the in-memory ring, read from the log table. */
  private readLog(afterRevision: number, throughRevision: number, prefix: string): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (const row of this.stmt.logRange.iterate(afterRevision, throughRevision)) {
      if (row.key.startsWith(prefix)) out.push(logRowToEvent(row));
    }
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.description}: store is closed`);
  }
}

function logRowToEvent(row: LogRow): WatchEvent {
  const kv = keyValue(row.key, row.value, row.create_rev, row.rev);
  if (row.type === 'delete') {
    const prevKv = keyValue(row.key, row.value, row.create_rev, row.prev_mod_rev ?? row.create_rev);
    return Object.freeze({ type: 'delete', kv, prevKv });
  }
  if (row.prev_mod_rev === null) return Object.freeze({ type: 'put', kv });
  const prevKv = keyValue(row.key, row.prev_value ?? '', row.create_rev, row.prev_mod_rev);
  return Object.freeze({ type: 'put', kv, prevKv });
}
