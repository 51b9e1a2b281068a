/**
 * Files that running processes read while the agent may rewrite them (a pod's resolv.conf,
 * hosts, hostname and the `hostname` shim) are replaced, never rewritten in place: a reader
 * either sees the old file or the new one, never a truncated one. Unchanged contents are
 * left alone, so a pod sync that writes the same files again costs a read and nothing else.
 *
 * (Rewriting in place once raced a `kubectl exec web-1 -- hostname`: the shell opened the
 * shim between the truncate and the write, ran an empty script and exited 0 with no output.)
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface ReplaceOptions {
  readonly mode?: number;
  /**
   * Where the temporary file goes (same filesystem; default: next to `path`). `ip netns exec`
   * bind-mounts every file of /etc/netns/NAME/, so temporaries must not appear there.
   */
  readonly tempDir?: string;
}

let seq = 0;
function tempName(path: string, opts: ReplaceOptions): string {
  seq = (seq + 1) % 1_000_000;
  const name = `.${basename(dirname(path))}-${basename(path)}.tmp-${process.pid}-${seq}`;
  return join(opts.tempDir ?? dirname(path), name);
}

/** Replace `path` with `text` (temp file + rename) unless it already holds exactly that. Returns whether it wrote. */
export function replaceFileSync(path: string, text: string, opts: ReplaceOptions = {}): boolean {
  try {
    if (readFileSync(path, 'utf8') === text) return false;
  } catch {
    // missing or unreadable: write it
  }
  const tmp = tempName(path, opts);
  writeFileSync(tmp, text, opts.mode === undefined ? undefined : { mode: opts.mode });
  renameSync(tmp, path);
  return true;
}

/** The asynchronous twin of replaceFileSync. */
export async function replaceFile(path: string, text: string, opts: ReplaceOptions = {}): Promise<boolean> {
  try {
    if ((await readFile(path, 'utf8')) === text) return false;
  } catch {
    // missing or unreadable: write it
  }
  const tmp = tempName(path, opts);
  await writeFile(tmp, text, opts.mode === undefined ? undefined : { mode: opts.mode });
  await rename(tmp, path);
  return true;
}
