/**
 * The cluster's PKI, generated on first start and kept in `<data-dir>/server/tls`
 * (as k3s does): a CA, the API server's serving certificate, and an admin client
 * certificate that goes into the kubeconfig. Keys come from node's native
 * crypto (fast); node-forge only builds and signs the X.509 structures.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ClusterPki {
  readonly ca: KeyPairPem;
  readonly serving: KeyPairPem;
  readonly admin: KeyPairPem;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** RSA-2048 key in PKCS#1 PEM, generated off the main thread (keys are made in parallel on first start). */
function newKeyPem(): Promise<string> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _publicKey, privateKey) => {
      if (err) reject(err);
      else resolve(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    });
  });
}

function serial(): string {
  // Positive serial: clear the top bit.
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

interface CertSpec {
  readonly commonName: string;
  readonly organization?: string;
  readonly isCA: boolean;
  readonly validForMs: number;
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly usage: 'ca' | 'server' | 'client';
}

function buildCert(spec: CertSpec, keyPem: string, issuer?: { certPem: string; keyPem: string }): string {
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + spec.validForMs);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: spec.commonName }];
  if (spec.organization) subject.push({ name: 'organizationName', value: spec.organization });
  cert.setSubject(subject);
  const issuerCert = issuer ? forge.pki.certificateFromPem(issuer.certPem) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const extensions: Record<string, unknown>[] = [{ name: 'basicConstraints', cA: spec.isCA, critical: true }];
  if (spec.usage === 'ca') {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({ name: 'extKeyUsage', serverAuth: spec.usage === 'server', clientAuth: spec.usage === 'client' });
  }
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  const signingKey = issuer ? (forge.pki.privateKeyFromPem(issuer.keyPem) as forge.pki.rsa.PrivateKey) : key;
  cert.sign(signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Names and addresses the serving certificate must cover. */
export interface ServingIdentity {
  readonly dnsNames: readonly string[];
  readonly ips: readonly string[];
}

function readPair(dir: string, base: string): KeyPairPem | undefined {
  const crt = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  if (!existsSync(crt) || !existsSync(key)) return undefined;
  return { certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

function writePair(dir: string, base: string, pair: KeyPairPem): void {
  writeFileSync(join(dir, `${base}.key`), pair.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, `${base}.crt`), pair.certPem, { mode: 0o644 });
}

/** True when the certificate's SANs include every wanted name and IP. */
function coversIdentity(certPem: string, want: ServingIdentity): boolean {
  const cert = forge.pki.certificateFromPem(certPem);
  const ext = cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | null;
  const names = new Set((ext?.altNames ?? []).map((a) => (a.type === 7 ? a.ip : a.value)));
  return [...want.dnsNames, ...want.ips].every((n) => names.has(n));
}

/**
 * Load the PKI from `dir`, creating what is missing. The serving certificate is
 * re-issued (by the same CA) when new names or addresses are needed.
 */
export async function loadOrCreatePki(dir: string, identity: ServingIdentity): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true });
  let ca = readPair(dir, 'server-ca');
  let serving = readPair(dir, 'serving-kube-apiserver');
  let admin = readPair(dir, 'client-admin');
  // Generate every missing key at once: RSA key generation dominates a first start.
  const [caKey, servingKey, adminKey] = await Promise.all([
    ca ? undefined : newKeyPem(),
    serving ? undefined : newKeyPem(),
    admin ? undefined : newKeyPem(),
  ]);
  if (!ca) {
    const keyPem = caKey ?? '';
    const certPem = buildCert(
      { commonName: `switchyard-server-ca-${Math.floor(Date.now() / 1000)}`, isCA: true, validForMs: TEN_YEARS_MS, usage: 'ca' },
      keyPem,
    );
    ca = { certPem, keyPem };
    writePair(dir, 'server-ca', ca);
  }
  if (!serving || !coversIdentity(serving.certPem, identity)) {
    const keyPem = serving?.keyPem ?? servingKey ?? '';
    const certPem = buildCert(
      {
        commonName: 'kube-apiserver',
        isCA: false,
        validForMs: ONE_YEAR_MS,
        usage: 'server',
        dnsNames: identity.dnsNames,
        ips: identity.ips,
      },
      keyPem,
      ca,
    );
    serving = { certPem, keyPem };
    writePair(dir, 'serving-kube-apiserver', serving);
  }
  if (!admin) {
    const keyPem = adminKey ?? '';
    const certPem = buildCert(
      { commonName: 'system:admin', organization: 'system:masters', isCA: false, validForMs: ONE_YEAR_MS, usage: 'client' },
      keyPem,
      ca,
    );
    admin = { certPem, keyPem };
    writePair(dir, 'client-admin', admin);
  }
  return { ca, serving, admin };
}

/** Subject of a verified client certificate, as Kubernetes reads it (CN = user, O = groups). */
export function userFromPeerCertificate(subject: { CN?: string | string[]; O?: string | string[] } | undefined): {
  name: string;
  groups: string[];
} {
  const cn = subject?.CN;
  const o = subject?.O;
  const name = Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? '');
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name, groups };
}
