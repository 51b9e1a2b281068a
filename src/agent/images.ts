/**
 * Images cannot be pulled: a container runs as a local process. This maps a container
 * (image, command, args — already `$(VAR)`-expanded) to the program to run:
 *
 * - A `command` runs as given on the machine (an image's own entry point names such as
 *   `/agnhost` are mapped to the built-in equivalent first; for busybox images a command
 *   missing on the machine runs as a busybox applet when busybox is installed).
 * - Without a command, known images run a built-in or local program (the table below,
 *   also in the README). Their `args` are kept where the program understands them.
 * - Anything else cannot run: the caller reports ErrImagePull / ImagePullBackOff.
 *
 * Built-ins run this same CLI (`switchyard netexec ...`), so they work on any machine.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ImageContext {
  /** argv prefix that runs the switchyard CLI, e.g. [process.execPath, '/repo/dist/src/cli/main.js']. */
  readonly selfCommand: readonly string[];
  /** Full path of an executable on PATH, or undefined. */
  readonly which: (name: string) => string | undefined;
}

export type ResolvedProgram =
  | { readonly ok: true; readonly argv: string[]; /** For events and logs: what runs the image. */ readonly via: string }
  | { readonly ok: false; readonly message: string };

/** Image reference → repository path without registry, tag or digest (`registry.k8s.io/e2e-test-images/agnhost:2.45` → `e2e-test-images/agnhost`). */
export function imageRepository(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  // A first component with a dot or colon, or `localhost`, is a registry host.
  if (parts.length > 1 && (/[.:]/.test(parts[0] ?? '') || parts[0] === 'localhost')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/** The last path component of the repository: `agnhost`, `nginx`, `busybox`. */
export function imageBaseName(image: string): string {
  const repo = imageRepository(image);
  return repo.slice(repo.lastIndexOf('/') + 1);
}

/** The tag of an image reference, or '' (none, or a digest reference). */
function imageTag(image: string): string {
  const ref = image.trim();
  if (ref.includes('@')) return '';
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > lastSlash ? ref.slice(colon + 1) : '';
}

/**
 * nginx has only released 0.x and 1.x with minor versions well below 100; a numeric tag outside
 * that (the Deployments page's `nginx:1.161` typo) does not exist, so the rollout must get stuck
 * in ImagePullBackOff as it does on a real cluster.
 */
function missingNginxTag(image: string): boolean {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-.*)?$/.exec(imageTag(image));
  if (!m) return false;
  return Number(m[1]) > 1 || Number(m[2]) > 50 || Number(m[3] ?? 0) > 50;
}

const SHELL_IMAGES = new Set(['busybox', 'alpine', 'ubuntu', 'debian', 'centos', 'fedora', 'curlimages/curl', 'curl', 'busyboxplus']);

/** Built-in equivalents of well-known images' default programs. */
function builtinFor(base: string, args: readonly string[], ctx: ImageContext, tag = ''): ResolvedProgram | undefined {
  const self = [...ctx.selfCommand];
  switch (base) {
    case 'netexec':
    case 'switchyard':
      return { ok: true, argv: [...self, ...(base === 'netexec' && args[0] !== 'netexec' ? ['netexec'] : []), ...args], via: 'switchyard built-in' };
    case 'agnhost': {
      const [sub, ...rest] = args;
      if (sub === 'netexec') return { ok: true, argv: [...self, 'netexec', ...rest], via: 'switchyard netexec (agnhost netexec)' };
      if (sub === 'serve-hostname') {
        const port = rest.find((a) => a.startsWith('--port='))?.slice('--port='.length) ?? '9376';
        return { ok: true, argv: [...self, 'netexec', `--http-port=${port}`, '--udp-port=-1', '--http-override=/hostname'], via: 'switchyard netexec (agnhost serve-hostname)' };
      }
      if (sub === 'pause' || sub === undefined) return pause(ctx);
      return { ok: false, message: `agnhost subcommand ${JSON.stringify(sub)} has no local equivalent (supported: netexec, serve-hostname, pause)` };
    }
    case 'pause':
      return pause(ctx);
    case 'serve_hostname': // registry.k8s.io/serve_hostname (Namespaces walkthrough): hostname on port 9376
      return { ok: true, argv: [...self, 'netexec', '--http-port=9376', '--udp-port=-1', '--http-override=/hostname'], via: 'switchyard netexec (serve_hostname)' };
    case 'nginx':
    case 'nginx-slim': // registry.k8s.io/nginx-slim of the StatefulSet tutorials
    case 'nginxhttps': // bprashanth/nginxhttps of the "Connecting Applications with Services" tutorial (port 80 only)
      return { ok: true, argv: [...self, 'netexec', '--http-port=80', '--udp-port=-1', '--content=nginx'], via: 'switchyard built-in static server (nginx welcome page)' };
    case 'hello-app': {
      // google-samples hello-app (Services tutorials): port 8080 ($PORT), reports its tag as x.y.z.
      const numeric = /^\d+(\.\d+)*$/.test(tag) ? tag : '1.0';
      const version = [...numeric.split('.'), '0', '0'].slice(0, 3).join('.');
      return { ok: true, argv: [...self, 'netexec', '--http-port=8080', '--udp-port=-1', '--content=hello-app', `--content-version=${version}`], via: 'switchyard built-in (hello-app)' };
    }
    case 'myapp':
      return { ok: true, argv: [...self, 'netexec', '--http-port=80', '--udp-port=-1', '--content=myapp'], via: 'switchyard built-in static server (myapp page)' };
  }
  return undefined;
}

function pause(ctx: ImageContext): ResolvedProgram {
  return { ok: true, argv: [...ctx.selfCommand, 'netexec', '--http-port=-1', '--udp-port=-1'], via: 'switchyard built-in (pause)' };
}

/** Resolve what to run for a container. `command`/`args` are the expanded spec fields. */
export function resolveProgram(image: string, command: readonly string[], args: readonly string[], ctx: ImageContext): ResolvedProgram {
  const base = imageBaseName(image);
  const repo = imageRepository(image);
  if (repo === 'nginx' && missingNginxTag(image)) {
    return { ok: false, message: `manifest for ${image} not found: manifest unknown: manifest unknown` };
  }
  if (command.length > 0) {
    const [exe = '', ...rest] = [...command, ...args];
    const exeBase = exe.slice(exe.lastIndexOf('/') + 1);
    // An image's own entry point named explicitly: map it like the default.
    if ((base === 'agnhost' && exeBase === 'agnhost') || (base === 'nginx' && exeBase === 'nginx') || (base === 'pause' && exeBase === 'pause')) {
      const mapped = builtinFor(base, base === 'nginx' ? [] : rest, ctx);
      if (mapped) return mapped;
    }
    if (SHELL_IMAGES.has(base) || SHELL_IMAGES.has(repo)) {
      if (!ctx.which(exe) && exe !== '') {
        const busybox = ctx.which('busybox');
        if (busybox) return { ok: true, argv: [busybox, exeBase, ...rest], via: `busybox applet ${exeBase}` };
      }
    }
    return { ok: true, argv: [exe, ...rest], via: 'command' };
  }
  const builtin = builtinFor(base, args, ctx, imageTag(image));
  if (builtin) return builtin;
  if (SHELL_IMAGES.has(base) || SHELL_IMAGES.has(repo)) {
    // Their default command is a shell; without a TTY it exits at once, as with the real image.
    // `args` replace the image's CMD, so they are the program.
    if (args.length) return { ok: true, argv: [...args], via: 'image args' };
    return { ok: true, argv: ['sh'], via: 'local shell' };
  }
  return {
    ok: false,
    message: `image ${JSON.stringify(image)} cannot be pulled: Switchyard runs containers as local processes and has no local program for it; set the container's command, or use a mapped image (netexec, agnhost, nginx, busybox, pause)`,
  };
}

/** PATH lookup for the ImageContext. */
export function whichOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) {
    try {
      accessSync(name, constants.X_OK);
      return name;
    } catch {
      return undefined;
    }
  }
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
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
