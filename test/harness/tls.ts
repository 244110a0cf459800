/**
 * TLS for tests: a self-signed CA and a server certificate for 127.0.0.1 made with `openssl` in
 * a temp dir, and the `redis.conf` lines that make a redis-server also listen with TLS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The CA certificate (PEM), for the client's `tls.ca`. */
  ca: string;
  remove(): void;
}

/** Makes a CA and a server certificate signed by it (subjectAltName IP:127.0.0.1, localhost). */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('genrsa', '-out', f('ca.key'), '2048');
  openssl(
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-key',
    f('ca.key'),
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=Sluice test CA',
    '-out',
    f('ca.crt'),
  );
  openssl('genrsa', '-out', f('server.key'), '2048');
  openssl(
    'req',
    '-new',
    '-key',
    f('server.key'),
    '-subj',
    '/CN=127.0.0.1',
    '-out',
    f('server.csr'),
  );
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.crt'),
  );
  return {
    dir,
    caFile: f('ca.crt'),
    certFile: f('server.crt'),
    keyFile: f('server.key'),
    ca: readFileSync(f('ca.crt'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `redis.conf` lines for a TLS listener on `tlsPort` (the plain `port` stays, for the harness's
 * own readiness probe). Clients need not present a certificate.
 */
export function tlsConfig(certs: TestCertificates, tlsPort: number): string[] {
  return [
    `tls-port ${tlsPort}`,
    `tls-cert-file ${certs.certFile}`,
    `tls-key-file ${certs.keyFile}`,
    `tls-ca-cert-file ${certs.caFile}`,
    'tls-auth-clients no',
  ];
}
