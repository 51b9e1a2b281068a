/**
 * The port through which the kernel dataplanes reach the kernel: run a tool
 * (nft, iptables-restore, conntrack) with optional stdin, in this process's
 * network namespace or, with `netns`, inside a named one (`ip netns exec`).
 * Tests use FakeCommandRunner instead.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the tool's stdin (then closed). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

export interface CommandRunner {
  /** The named network namespace commands run in; undefined = this process's own. */
  readonly netns?: string;
  /** Runs `argv`; resolves with the exit code (never rejects for a non-zero exit). Rejects when the tool cannot be started. */
  run(argv: readonly string[], opts?: RunOptions): Promise<CommandResult>;
}

/** Runs real tools with child_process.spawn (prefixed with `ip netns exec NAME` when `netns` is set). */
export class ExecCommandRunner implements CommandRunner {
  readonly netns?: string;

  constructor(opts: { readonly netns?: string } = {}) {
    if (opts.netns !== undefined) this.netns = opts.netns;
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const full = this.netns !== undefined ? ['ip', 'netns', 'exec', this.netns, ...argv] : [...argv];
    const [cmd, ...args] = full;
    if (!cmd) return Promise.reject(new Error('empty command'));
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(new Error(`${full.join(' ')}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
        });
      });
      // A tool that exits early (parse error) closes stdin: ignore EPIPE, the exit code tells.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? '');
    });
  }
}

/** Absolute path of `name` on PATH (plus the sbin directories root tools live in), or undefined. */
export function findExecutable(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'].filter((d) => d !== '');
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** One line for logs and errors: the command and the first line of its stderr. */
export function describeFailure(argv: readonly string[], r: CommandResult): string {
  const msg = r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`;
  return `${argv.join(' ')} failed (exit ${r.code}): ${msg.length > 2000 ? `${msg.slice(0, 2000)}...` : msg}`;
}
