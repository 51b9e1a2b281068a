/**
 * TTY sessions for `kubectl exec -it`. Node has no pty binding, so a short Python program
 * (python3's standard `pty`/`termios` modules; no packages) owns the pseudo-terminal: it
 * starts the command on the pty's slave side as session leader, relays stdin → pty and
 * pty → stdout, and reads window sizes (`<rows> <cols>\n`) from fd 3, applying them with
 * TIOCSWINSZ (the kernel then sends SIGWINCH to the foreground job). Its exit status is the
 * command's (128+n for a signal). util-linux `script -c` was the alternative, but it cannot
 * be told about resizes when its own stdin is a pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The helper (argv: rows cols command...). On stdin EOF it types Ctrl-D (EOT), as a terminal user would. */
const PTY_HELPER = String.raw`
import os, sys, select, struct, fcntl, termios, signal
rows, cols = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[3:]
master, slave = os.openpty()
def setsize(r, c):
    if r > 0 and c > 0:
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', r, c, 0, 0))
setsize(rows, cols)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    for fd in (slave, master, 3):
        try: os.close(fd)
        except OSError: pass
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ('exec %s: %s\r\n' % (argv[0], e.strerror)).encode())
        os._exit(127)
os.close(slave)
inputs = [0, 3, master]
ctl = b''
status = None
while True:
    try:
        ready, _, _ = select.select(inputs, [], [], 0.2)
    except InterruptedError:
        continue
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(master, data)
        else:
            inputs.remove(0)
            try: os.write(master, b'\x04')
            except OSError: pass
    if 3 in ready:
        data = os.read(3, 4096)
        if not data:
            inputs.remove(3)
        ctl += data
        while b'\n' in ctl:
            line, ctl = ctl.split(b'\n', 1)
            parts = line.split()
            if len(parts) == 2:
                setsize(int(parts[0]), int(parts[1]))
    if status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            # The command is gone; whatever it wrote is already in the pty buffer.
            inputs = [master]
if status is None:
    _, status = os.waitpid(pid, 0)
if os.WIFEXITED(status):
    sys.exit(os.WEXITSTATUS(status))
sys.exit(128 + os.WTERMSIG(status))
`;

/** The python3 to use: Debian's system interpreter first (a PATH python3 may be a slow shim). */
export function findPython(path = process.env.PATH ?? ''): string | undefined {
  if (existsSync('/usr/bin/python3')) return '/usr/bin/python3';
  for (const dir of path.split(':')) {
    if (dir && existsSync(`${dir}/python3`)) return `${dir}/python3`;
  }
  return undefined;
}

export interface PtyProcess {
  readonly child: ChildProcess;
  /** Apply a new window size. */
  resize(rows: number, cols: number): void;
}

/**
 * Start argv on a new pseudo-terminal. child.stdin feeds the terminal, child.stdout carries
 * what the terminal shows (stdout and stderr merged, as on a real terminal).
 */
export function spawnOnPty(
  python: string,
  argv: readonly string[],
  opts: { readonly env: NodeJS.ProcessEnv; readonly rows?: number; readonly cols?: number; readonly cwd?: string },
): PtyProcess {
  const child = spawn(python, ['-I', '-c', PTY_HELPER, String(opts.rows ?? 0), String(opts.cols ?? 0), ...argv], {
    env: opts.env,
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const control = child.stdio[3] as NodeJS.WritableStream | null;
  control?.on('error', () => undefined);
  return {
    child,
    resize(rows: number, cols: number) {
      if (Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0) control?.write(`${rows} ${cols}\n`);
    },
  };
}
