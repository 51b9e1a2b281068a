/**
 * End-to-end harness: starts a real `switchyard server` (the compiled CLI) on a
 * fresh data dir and a free port, and runs the real kubectl against it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

export class TestServer {
  readonly dataDir: string;
  readonly kubeconfig: string;
  readonly cacheDir: string;
  private proc: ChildProcess | undefined;
  private logs = '';
  private readonly extraArgs: string[];
  private readonly env: Record<string, string>;

  /** `env` is added to this process' environment for the server (e.g. controller overrides). */
  constructor(opts: { dataDir?: string; extraArgs?: string[]; env?: Record<string, string> } = {}) {
    this.dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
    this.kubeconfig = join(this.dataDir, 'kubeconfig.yaml');
    this.cacheDir = join(this.dataDir, 'kubectl-cache');
    this.extraArgs = opts.extraArgs ?? [];
    this.env = opts.env ?? {};
  }

  /** Start the server and wait until it has written its kubeconfig. */
  async start(): Promise<void> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    rmSync(this.kubeconfig, { force: true });
    this.logs = '';
    const proc = spawn(
      process.execPath,
      [CLI, 'server', '--data-dir', this.dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', '0', '--disable-agent', '--disable-dns', ...this.extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } },
    );
    this.proc = proc;
    proc.stdout?.on('data', (d: Buffer) => (this.logs += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.logs += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!existsSync(this.kubeconfig)) {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${this.logs}`);
      if (Date.now() > deadline) throw new Error(`server did not write its kubeconfig in time:\n${this.logs}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get output(): string {
    return this.logs;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The server URL from the kubeconfig. */
  get url(): string {
    const kc = parseYaml(readFileSync(this.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] };
    return kc.clusters[0]?.cluster.server ?? '';
  }

  /** Stop with a signal and wait for the exit; returns the exit code (or the signal name). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | null> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return proc?.exitCode ?? null;
    const exited = new Promise<number | string | null>((r) => proc.once('exit', (code, sig) => r(code ?? sig)));
    proc.kill(signal);
    const result = await exited;
    this.proc = undefined;
    return result;
  }

  cleanup(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Run the real kubectl (async so the server in this process' child keeps being served). */
  kubectl(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolvePromise) => {
      const child = spawn('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
        env: { ...process.env, ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  writeFile(name: string, content: string): string {
    const p = join(this.dataDir, name);
    writeFileSync(p, content);
    return p;
  }
}

/** Split kubectl table output into rows of whitespace-separated cells. */
export function tableRows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s{2,}|\t/));
}
