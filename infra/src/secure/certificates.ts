import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KitError } from '@workshop/shared';

/**
 * The secured stack's certificates, made by the kit with openssl (and keytool for the Java truststore) the first time
 * `stack:up -- --secure` runs: a CA of its own, one server certificate for 127.0.0.1/localhost (every TLS front: Kafka,
 * the registry, Connect, PostgreSQL, ClickHouse) and one client certificate for Kafka's client-certificate auth — the
 * files Aiven hands out, under the names `aiven:env` writes (ca.pem, service.cert, service.key). The JVMs read PKCS12
 * stores made from the same keys. Private keys and stores are 0600.
 */

export interface SecureCertificates {
  /** PEM: what Node clients (kafkajs, pg) and NODE_EXTRA_CA_CERTS read. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** Kafka's client certificate and key (PEM), as aiven:env names them. */
  clientCertFile: string;
  clientKeyFile: string;
  /** PKCS12 for the JVMs: the broker's key pair, the Connect worker's client key pair, the CA as a truststore. */
  brokerKeystore: string;
  clientKeystore: string;
  truststore: string;
}

export function secureCertificatePaths(certsDir: string): SecureCertificates {
  return {
    caFile: join(certsDir, 'ca.pem'),
    serverCertFile: join(certsDir, 'server.pem'),
    serverKeyFile: join(certsDir, 'server.key'),
    clientCertFile: join(certsDir, 'service.cert'),
    clientKeyFile: join(certsDir, 'service.key'),
    brokerKeystore: join(certsDir, 'kafka-broker.p12'),
    clientKeystore: join(certsDir, 'kafka-client.p12'),
    truststore: join(certsDir, 'truststore.p12'),
  };
}

/** Long enough for a workshop season; `rm -r .stack/secure/certs` and stack:up make new ones. */
const validDays = '825';

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    const said = (result.stderr || result.stdout || result.error?.message || '').trim().split('\n').slice(-3).join(' ');
    throw new KitError(`secure stack: ${command} ${args[0]} failed: ${said}`, {
      code: 'stack',
      hint: `the secured stack makes its certificates with openssl and keytool (Java 17+): check that both are on PATH`,
    });
  }
}

/** The IP addresses a certificate names (its subjectAltName's IP entries). */
export function certificateAddresses(certFile: string): string[] {
  const names = new X509Certificate(readFileSync(certFile)).subjectAltName ?? '';
  return [...names.matchAll(/IP Address:([^,\s]+)/g)].map((match) => match[1]!);
}

/**
 * Makes whatever is missing. The CA signs everything else, so a missing CA (or its key) remakes the whole set: a
 * certificate from an earlier CA would no longer be trusted. `roomAddress` (npm run room): the server certificate must
 * name it too — clients verify the address they dial — so one that does not is remade, by the same CA (a CA file
 * handed out earlier stays good).
 */
export function ensureCertificates(certsDir: string, storePassword: string, roomAddress?: string): SecureCertificates {
  const files = secureCertificatePaths(certsDir);
  const caKey = join(certsDir, 'ca.key');
  mkdirSync(certsDir, { recursive: true, mode: 0o700 });
  chmodSync(certsDir, 0o700);
  const everything = [caKey, ...Object.values(files)];
  if (everything.every((file) => existsSync(file))) {
    if (roomAddress === undefined || certificateAddresses(files.serverCertFile).includes(roomAddress)) return files;
    serverCertificate(certsDir, caKey, files, storePassword, roomAddress);
    return files;
  }
  for (const file of everything) rmSync(file, { force: true });

  run(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      validDays,
      '-keyout',
      caKey,
      '-out',
      files.caFile,
      '-subj',
      '/CN=Workshop kit secured stack CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    certsDir,
  );

  serverCertificate(certsDir, caKey, files, storePassword, roomAddress);
  signed(certsDir, caKey, files.caFile, files.clientKeyFile, files.clientCertFile, '/CN=workshop-client', ['extendedKeyUsage=clientAuth']);

  const pass = `pass:${storePassword}`;
  run(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-in',
      files.clientCertFile,
      '-inkey',
      files.clientKeyFile,
      '-certfile',
      files.caFile,
      '-name',
      'kafka-client',
      '-out',
      files.clientKeystore,
      '-passout',
      pass,
    ],
    certsDir,
  );
  // keytool, not openssl: Java trusts a PKCS12 certificate only with Java's own "trusted certificate" attribute.
  run(
    'keytool',
    [
      '-importcert',
      '-noprompt',
      '-alias',
      'workshop-ca',
      '-file',
      files.caFile,
      '-keystore',
      files.truststore,
      '-storetype',
      'PKCS12',
      '-storepass',
      storePassword,
    ],
    certsDir,
  );

  for (const secret of [caKey, files.serverKeyFile, files.clientKeyFile, files.brokerKeystore, files.clientKeystore, files.truststore]) {
    chmodSync(secret, 0o600);
  }
  return files;
}

/** The server certificate (every TLS front's) and the broker's keystore made from it. */
function serverCertificate(certsDir: string, caKey: string, files: SecureCertificates, storePassword: string, roomAddress?: string): void {
  const room = roomAddress && roomAddress !== '127.0.0.1' ? `,IP:${roomAddress}` : '';
  // Both usages on the server certificate: the broker also connects to itself (inter-broker and controller) with it.
  signed(certsDir, caKey, files.caFile, files.serverKeyFile, files.serverCertFile, '/CN=127.0.0.1', [
    `subjectAltName=IP:127.0.0.1,DNS:localhost${room}`,
    'extendedKeyUsage=serverAuth,clientAuth',
  ]);
  run(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-in',
      files.serverCertFile,
      '-inkey',
      files.serverKeyFile,
      '-certfile',
      files.caFile,
      '-name',
      'kafka-broker',
      '-out',
      files.brokerKeystore,
      '-passout',
      `pass:${storePassword}`,
    ],
    certsDir,
  );
  chmodSync(files.serverKeyFile, 0o600);
  chmodSync(files.brokerKeystore, 0o600);
}

function signed(
  certsDir: string,
  caKey: string,
  caFile: string,
  keyFile: string,
  certFile: string,
  subject: string,
  extensions: string[],
): void {
  const csr = `${certFile}.csr`;
  const extFile = `${certFile}.ext`;
  writeFileSync(extFile, `${extensions.join('\n')}\n`);
  try {
    run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', subject], certsDir);
    run(
      'openssl',
      [
        'x509',
        '-req',
        '-sha256',
        '-days',
        validDays,
        '-in',
        csr,
        '-CA',
        caFile,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-extfile',
        extFile,
        '-out',
        certFile,
      ],
      certsDir,
    );
  } finally {
    rmSync(csr, { force: true });
    rmSync(extFile, { force: true });
  }
}
