import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM texts and file paths of a throw-away CA and a server/client certificate it signed. */
export interface TestCertificates {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  caPath: string;
  caKeyPath: string;
  certPath: string;
  keyPath: string;
}

/**
 * Creates, with the `openssl` command, a self-signed CA and a leaf certificate for
 * `localhost`, 127.0.0.1 and ::1 (usable as TLS server and client) in `dir`.
 * For tests only: EC P-256 keys, one-day validity.
 */
export async function createTestCertificates(dir: string, commonName = 'localhost'): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  const caKeyPath = join(dir, 'ca.key');
  const caPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'server.key');
  const csrPath = join(dir, 'server.csr');
  const certPath = join(dir, 'server.pem');
  const extPath = join(dir, 'server.ext');

  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req', '-x509', ...ecKey, '-keyout', caKeyPath, '-out', caPath, '-days', '1',
    '-subj', '/CN=Portier Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', '-new', ...ecKey, '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${commonName}`]);
  await writeFile(
    extPath,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${[...new Set([commonName, 'localhost'])].map((n) => `DNS:${n}`).join(',')},IP:127.0.0.1,IP:::1`,
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509', '-req', '-in', csrPath, '-CA', caPath, '-CAkey', caKeyPath, '-CAcreateserial',
    '-out', certPath, '-days', '1', '-extfile', extPath,
  ]);

  const [caCert, caKey, cert, key] = await Promise.all(
    [caPath, caKeyPath, certPath, keyPath].map((p) => readFile(p, 'utf8')),
  );
  return { caCert: caCert!, caKey: caKey!, cert: cert!, key: key!, caPath, caKeyPath, certPath, keyPath };
}
