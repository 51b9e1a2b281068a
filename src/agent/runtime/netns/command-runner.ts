/**
 * The port through which the netns runtime and the route applier touch the kernel: every
 * `ip`, `nsenter` or `sysctl` call goes through a CommandRunner, so unit tests swap in a
 * recorder and only the root tests run real commands.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandRunner {
  /** Run argv (argv[0] looked up on PATH) to completion; never throws for a non-zero exit. */
  run(argv: readonly string[], opts?: { readonly input?: string; readonly timeoutMs?: number }): Promise<CommandResult>;
}

export class ExecCommandRunner implements CommandRunner {
  run(argv: readonly string[], opts: { readonly input?: string; readonly timeoutMs?: number } = {}): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (!file) return Promise.reject(new Error('empty command'));
    return new Promise((resolve) => {
      const child = execFile(file, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) {
          resolve({ code: 0, stdout, stderr });
          return;
        }
        // A number is the exit status; a string code (ENOENT, a timeout kill) means it never ran or was cut off.
        const code = typeof err.code === 'number' ? err.code : 127;
        resolve({ code, stdout, stderr: stderr || err.message });
      });
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  }
}

/** Throws with the command's stderr when it failed; returns stdout. */
export async function mustRun(runner: CommandRunner, argv: readonly string[], opts?: { readonly input?: string }): Promise<string> {
  const r = await runner.run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A scripted runner for tests: records every call and answers from a handler (default: success, empty output). */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: string[][] = [];
  constructor(private readonly answer: (argv: readonly string[]) => Partial<CommandResult> | undefined = () => undefined) {}
  run(argv: readonly string[]): Promise<CommandResult> {
    this.calls.push([...argv]);
    const a = this.answer(argv) ?? {};
    return Promise.resolve({ code: a.code ?? 0, stdout: a.stdout ?? '', stderr: a.stderr ?? '' });
  }
  /** Calls rendered as shell-ish lines, for table assertions. */
  lines(): string[] {
    return this.calls.map((c) => c.join(' '));
  }
}
