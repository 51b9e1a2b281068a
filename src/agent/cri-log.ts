/**
 * Container log files in the CRI format kubelet reads (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`,
 * one line per output line; `P` marks a piece of a line longer than the split size), and
 * their decoding for `kubectl logs` (tail, since, timestamps, byte limit, follow).
 */
import { closeSync, createReadStream, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

export type LogStream = 'stdout' | 'stderr';

/** containerd's line split size. */
const MAX_LINE = 16 * 1024;

/** RFC 3339 with nanoseconds (the millisecond clock padded; ordering comes from the file). */
export function criTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}

/** Appends CRI lines for a process' stdout and stderr to one file. */
export class CriLogWriter {
  private readonly fd: number;
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private closed = false;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.fd = openSync(path, 'a');
  }

  write(stream: LogStream, chunk: Buffer): void {
    if (this.closed) return;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const parts = this.pending[stream];
      this.pending[stream] = [];
      this.emit(stream, 'F', parts.length ? Buffer.concat([...parts, piece]) : piece);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending[stream].push(chunk.subarray(start));
      let size = this.pending[stream].reduce((n, b) => n + b.length, 0);
      while (size >= MAX_LINE) {
        const all = Buffer.concat(this.pending[stream]);
        this.emit(stream, 'P', all.subarray(0, MAX_LINE));
        this.pending[stream] = [all.subarray(MAX_LINE)];
        size -= MAX_LINE;
      }
    }
  }

  private emit(stream: LogStream, tag: 'F' | 'P', content: Buffer): void {
    while (content.length > MAX_LINE) {
      this.emitOne(stream, 'P', content.subarray(0, MAX_LINE));
      content = content.subarray(MAX_LINE);
    }
    this.emitOne(stream, tag, content);
  }

  private emitOne(stream: LogStream, tag: 'F' | 'P', content: Buffer): void {
    const line = Buffer.concat([Buffer.from(`${criTimestamp(this.now())} ${stream} ${tag} `), content, Buffer.from('\n')]);
    writeSync(this.fd, line);
  }

  /** Flushes unterminated output as full lines and closes the file. */
  close(): void {
    if (this.closed) return;
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.pending[s].length) this.emit(s, 'F', Buffer.concat(this.pending[s]));
      this.pending[s] = [];
    }
    this.closed = true;
    closeSync(this.fd);
  }
}

export interface CriLine {
  readonly time: string;
  readonly stream: LogStream;
  readonly partial: boolean;
  readonly content: string;
}

export function parseCriLine(line: string): CriLine | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), stream, partial: tag.split(':')[0] === 'P', content: c < 0 ? '' : line.slice(c + 1) };
}

export interface LogReadOptions {
  /** Only the last N lines (negative or undefined: all). */
  readonly tailLines?: number;
  /** Prefix each line with its RFC 3339 timestamp. */
  readonly timestamps?: boolean;
  /** Only lines at or after this time (ms since epoch). */
  readonly sinceMs?: number;
  /** Stop after this many bytes of output. */
  readonly limitBytes?: number;
}

/** Assembles logical lines (P pieces joined with the F that ends them) with their first timestamp. */
function assemble(lines: readonly string[]): { time: string; text: string }[] {
  const out: { time: string; text: string }[] = [];
  let pendingText = '';
  let pendingTime = '';
  for (const raw of lines) {
    const l = parseCriLine(raw);
    if (!l) continue;
    if (!pendingTime) pendingTime = l.time;
    pendingText += l.content;
    if (!l.partial) {
      out.push({ time: pendingTime, text: `${pendingText}\n` });
      pendingText = '';
      pendingTime = '';
    }
  }
  return out;
}

function formatLine(l: { time: string; text: string }, opts: LogReadOptions): string {
  return opts.timestamps ? `${l.time} ${l.text}` : l.text;
}

function selected(all: { time: string; text: string }[], opts: LogReadOptions): { time: string; text: string }[] {
  let lines = all;
  if (opts.sinceMs !== undefined) {
    const since = opts.sinceMs;
    lines = lines.filter((l) => Date.parse(l.time) >= since);
  }
  if (opts.tailLines !== undefined && opts.tailLines >= 0) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
  return lines;
}

/** The decoded log text of a file (no follow). */
export function readLog(path: string, opts: LogReadOptions = {}): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const raw = text.split('\n');
  raw.pop(); // last element is '' or an incomplete line still being written
  let out = selected(assemble(raw), opts)
    .map((l) => formatLine(l, opts))
    .join('');
  if (opts.limitBytes !== undefined && opts.limitBytes >= 0) out = Buffer.from(out).subarray(0, opts.limitBytes).toString('utf8');
  return out;
}

/**
 * Writes the log to `out`, then (follow) keeps writing lines as they are appended until
 * `isDone()` is true and the file has no more data, or `signal` aborts. Resolves when finished.
 */
export async function streamLog(path: string, opts: LogReadOptions, out: Writable, follow: { isDone: () => boolean; signal: AbortSignal; pollMs?: number } | undefined): Promise<void> {
  let budget = opts.limitBytes !== undefined && opts.limitBytes >= 0 ? opts.limitBytes : Infinity;
  const send = (s: string): boolean => {
    if (budget <= 0) return false;
    let buf = Buffer.from(s);
    if (buf.length > budget) buf = buf.subarray(0, budget);
    budget -= buf.length;
    out.write(buf);
    return budget > 0;
  };
  let offset = 0;
  let carry = '';
  const readNew = async (): Promise<string[]> => {
    if (!existsSync(path)) return [];
    const size = statSync(path).size;
    if (size <= offset) return [];
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      createReadStream(path, { start: offset, end: size - 1 })
        .on('data', (c) => chunks.push(c as Buffer))
        .on('end', resolve)
        .on('error', reject);
    });
    offset = size;
    const text = carry + Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    return lines;
  };
  const first = selected(assemble(await readNew()), opts);
  for (const l of first) if (!send(formatLine(l, opts))) return;
  if (!follow) return;
  const sinceMs = opts.sinceMs;
  let partial: string[] = [];
  for (;;) {
    if (follow.signal.aborted) return;
    const done = follow.isDone();
    const lines = await readNew();
    if (lines.length) {
      const all = [...partial, ...lines];
      // Keep trailing P pieces until their F line arrives.
      let cut = all.length;
      while (cut > 0 && parseCriLine(all[cut - 1] ?? '')?.partial) cut--;
      partial = all.slice(cut);
      for (const l of assemble(all.slice(0, cut))) {
        if (sinceMs !== undefined && Date.parse(l.time) < sinceMs) continue;
        if (!send(formatLine(l, opts))) return;
      }
    } else if (done) {
      return;
    }
    await new Promise((r) => setTimeout(r, follow.pollMs ?? 200));
  }
}
