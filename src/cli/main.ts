#!/usr/bin/env node
/** The `switchyard` command: dispatches to the component subcommands. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FlagError } from './flags.js';

const HELP = `Switchyard: Kubernetes Service networking — API server, controllers, proxy and DNS.

Usage:
  switchyard <command> [flags]

Commands:
  server     Run the control plane (API server on an embedded SQLite store)
  agent      Run a node agent (kubelet counterpart) that joins a server
  netexec    Run the test workload (HTTP /hostname /clientip /echo /healthz, UDP responder)
  proxy      Run the service proxy (kube-proxy counterpart); 'proxy status' shows virtual services
  dns        Run cluster DNS against an API server (CoreDNS kubernetes-plugin counterpart)
  kubectl    Run the system kubectl with the server's admin kubeconfig
  version    Print the version

Run 'switchyard <command> --help' for the flags of a command.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${HELP}\n`);
      return cmd === undefined ? 1 : 0;
    // Commands load on demand: a pod running `switchyard netexec` should not pay for the API server.
    case 'server':
      return (await import('./server-command.js')).runServerCommand(rest);
    case 'agent':
      return (await import('./agent-command.js')).runAgentCommand(rest);
    case 'netexec':
      return (await import('./netexec-command.js')).runNetexecCommand(rest);
    case 'proxy':
      return (await import('./proxy-command.js')).runProxyCommand(rest);
    case 'dns':
      return (await import('./dns-command.js')).runDnsCommand(rest);
    case 'kubectl': {
      const { defaultDataDir } = await import('./server-command.js');
      const dataDir = process.env.SWITCHYARD_DATA_DIR ?? defaultDataDir();
      const kubeconfig = process.env.KUBECONFIG ?? join(dataDir, 'kubeconfig.yaml');
      if (!existsSync(kubeconfig)) {
        process.stderr.write(`no kubeconfig at ${kubeconfig}: start 'switchyard server' first (or set KUBECONFIG)\n`);
        return 1;
      }
      const r = spawnSync('kubectl', rest, { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
      return r.status ?? 1;
    }
    case 'version':
      process.stdout.write('switchyard v0.1.0 (Kubernetes API v1.32)\n');
      return 0;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(cmd)}\n\n${HELP}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof FlagError) {
      process.stderr.write(`error: ${err.message}\nRun with --help for usage.\n`);
      process.exit(2);
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
