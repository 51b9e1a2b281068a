/**
 * The agent's HTTPS serving certificate: self-signed and kept in the data dir, as kubelet
 * does without a CA-signed one (`<host>@<timestamp>` subject). The API server connects to it
 * without verifying, as kube-apiserver does without --kubelet-certificate-authority.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCert {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Loads `<dir>/kubelet.{crt,key}`, creating them (with these SANs) when missing or not covering `ips`. */
export function loadOrCreateServingCert(dir: string, nodeName: string, ips: readonly string[]): ServingCert {
  mkdirSync(dir, { recursive: true });
  const crt = join(dir, 'kubelet.crt');
  const key = join(dir, 'kubelet.key');
  if (existsSync(crt) && existsSync(key)) {
    const certPem = readFileSync(crt, 'utf8');
    const cert = forge.pki.certificateFromPem(certPem);
    const ext = cert.getExtension('subjectAltName') as { altNames?: { type: number; ip?: string; value?: string }[] } | null;
    const have = new Set((ext?.altNames ?? []).map((a) => a.ip ?? a.value));
    if (ips.every((ip) => have.has(ip)) && cert.validity.notAfter.getTime() > Date.now() + 86_400_000) return { certPem, keyPem: readFileSync(key, 'utf8') };
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const fkey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(fkey.n, fkey.e);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const subject = [{ name: 'commonName', value: `${nodeName}@${Math.floor(Date.now() / 1000)}` }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: nodeName }, { type: 2, value: 'localhost' }, ...[...new Set(['127.0.0.1', ...ips])].map((ip) => ({ type: 7, ip }))] },
  ]);
  cert.sign(fkey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  writeFileSync(key, keyPem, { mode: 0o600 });
  writeFileSync(crt, certPem);
  return { certPem, keyPem };
}
