/** A CommandRunner that records what it is asked to run and answers from a handler (tests). */
import type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';

export interface RecordedCommand {
  readonly argv: readonly string[];
  readonly input: string;
}

export type FakeHandler = (argv: readonly string[], input: string) => Partial<CommandResult> | undefined;

export class FakeCommandRunner implements CommandRunner {
  readonly netns?: string;
  readonly calls: RecordedCommand[] = [];
  /** Answers a command; undefined (or a missing field) means exit 0 with empty output. */
  handler: FakeHandler;

  constructor(handler: FakeHandler = () => undefined, opts: { readonly netns?: string } = {}) {
    this.handler = handler;
    if (opts.netns !== undefined) this.netns = opts.netns;
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const input = opts.input ?? '';
    this.calls.push({ argv: [...argv], input });
    const r = this.handler(argv, input) ?? {};
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Calls whose program (argv[0]) is `name`. */
  callsTo(name: string): RecordedCommand[] {
    return this.calls.filter((c) => c.argv[0] === name);
  }
}
