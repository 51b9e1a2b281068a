#!/usr/bin/env node
/**
 * Stand-alone entry of the netexec workload (`node dist/src/netexec/main.js --http-port 8080`),
 * for pods and tests that should not depend on the full CLI. A leading `netexec` argument is
 * accepted, so it can stand in for `switchyard` as the agent's built-in command prefix.
 */
import { FlagError } from '../cli/flags.js';
import { runNetexecCommand } from '../cli/netexec-command.js';

const args = process.argv.slice(2);
if (args[0] === 'netexec') args.shift();
runNetexecCommand(args).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof FlagError ? 2 : 1);
});
