import { spawnSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
  chmodSync,
} from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { KitError } from '@workshop/shared';
import type { SecureCertificates } from './certificates.js';
import { secureStackUsers } from './layout.js';

/**
 * The secured stack's PostgreSQL: a cluster the kit owns, in .stack/secure/data/postgres, made with initdb and run with
 * pg_ctl — the machine's own cluster is left as it is. It takes TLS connections only (every pg_hba line is `hostssl`),
 * SCRAM passwords, on 127.0.0.1 and no Unix socket: what a cloud PostgreSQL offers.
 *
 * PostgreSQL refuses to run as root: run as root (a CI container), the kit runs initdb and the server as the
 * `postgres` user the distribution's package created, and hands it the cluster's folder.
 */

export interface PostgresCluster {
  dataDir: string;
  port: number;
  superuser: string;
  password: string;
  logFile: string;
  certs: SecureCertificates;
  /**
   * npm run room: it also listens there, and takes TLS + SCRAM connections from the room's network (pg_hba samenet) —
   * for the room's user only: the superuser logs in from 127.0.0.1 alone.
   */
  roomAddress?: string;
}

/** The newest PostgreSQL's programs: Debian keeps them out of PATH, in /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string | undefined {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const newest = readdirSync(debian)
      .filter((version) => existsSync(join(debian, version, 'bin', 'initdb')))
      .sort((a, b) => Number(a) - Number(b))
      .at(-1);
    if (newest) return join(debian, newest, 'bin');
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  return pgConfig.status === 0 ? pgConfig.stdout.trim() : undefined;
}

const runsAsRoot = () => process.getuid?.() === 0;

/** The account the server runs as when the kit runs as root. */
function serverAccount(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new KitError('postgres: run as root, the secured stack needs a `postgres` user to run PostgreSQL as (PostgreSQL refuses root)', {
      hint: 'install PostgreSQL from the distribution (it creates the user), or run the kit as an ordinary user',
    });
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function pgProgram(program: string, args: string[]): { status: number | null; output: string } {
  const bin = postgresBinDir();
  if (!bin) {
    throw new KitError('postgres: no PostgreSQL programs (initdb, pg_ctl) found', {
      hint: 'install PostgreSQL 15+ (apt-get install postgresql): the secured stack runs a cluster of its own with them',
    });
  }
  const command = join(bin, program);
  const result = runsAsRoot()
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
    : spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`.trim() };
}

/** Gives the server's account a file or folder the kit (root) made. */
function handOver(path: string): void {
  if (!runsAsRoot()) return;
  const { uid, gid } = serverAccount();
  chownSync(path, uid, gid);
}

function serverConfig(cluster: PostgresCluster): string {
  return `
# Added by the workshop kit (infra/src/secure/postgres-cluster.ts): the secured stack's PostgreSQL.
port = ${cluster.port}
listen_addresses = '127.0.0.1'
# TCP only, as in the cloud: no Unix socket a local tool could use without TLS.
unix_socket_directories = ''
ssl = on
ssl_cert_file = 'server.pem'
ssl_key_file = 'server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
max_connections = 60
shared_buffers = 64MB
timezone = 'UTC'
`;
}

/**
 * TLS only: no `host` line, so a connection without TLS finds no rule and is refused. In a room, the laptops on the
 * room address's network too (samenet: the subnets this machine is on) as the room's user — still TLS with a password.
 */
export function hostBasedAccess(cluster: Pick<PostgresCluster, 'roomAddress'>): string {
  return `# Written by the workshop kit (infra/src/secure/postgres-cluster.ts).
# TYPE   DATABASE USER ADDRESS       METHOD
hostssl  all      all  127.0.0.1/32  scram-sha-256
${cluster.roomAddress ? `# npm run room (${cluster.roomAddress}): the room's laptops\nhostssl  all      ${secureStackUsers.postgresRoom}  samenet  scram-sha-256\n` : ''}`;
}

/**
 * Lets the server's account walk down to the cluster's folder when the kit runs as root. `.stack/` is often 0700: the
 * first `mkdirSync(.stack/secrets, { recursive, mode: 0o700 })` gives every folder it creates that mode. Only the
 * search bit is added (no listing), only inside the checkout (a home folder above it is the owner's business: initdb's
 * error then names it), and only on root's own folders that lack it; what is secret stays closed one level down
 * (secrets/, certs/ are 0700).
 */
function letServerReach(dataDir: string): void {
  if (!runsAsRoot()) return;
  for (let dir = dirname(dataDir); dir.startsWith(`${repoRoot}${sep}`); dir = dirname(dir)) {
    const { mode, uid } = statSync(dir);
    if (uid === 0 && (mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
  }
}

/** initdb once; the configuration and certificates at every start (a regenerated certificate is picked up). */
export function preparePostgresCluster(cluster: PostgresCluster): void {
  letServerReach(cluster.dataDir);
  if (!existsSync(join(cluster.dataDir, 'PG_VERSION'))) {
    rmSync(cluster.dataDir, { recursive: true, force: true });
    mkdirSync(cluster.dataDir, { recursive: true, mode: 0o700 });
    handOver(cluster.dataDir);
    const passwordFile = join(cluster.dataDir, '..', 'postgres-initdb-password');
    writeFileSync(passwordFile, `${cluster.password}\n`, { mode: 0o600 });
    handOver(passwordFile);
    try {
      const init = pgProgram('initdb', [
        '-D',
        cluster.dataDir,
        '-U',
        cluster.superuser,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
      ]);
      if (init.status !== 0) {
        throw new KitError(`postgres: initdb failed: ${init.output.split('\n').slice(-3).join(' ')}`, {
          hint: runsAsRoot()
            ? `run as root, initdb runs as the postgres user: every folder above ${cluster.dataDir} must let it pass (chmod o+x); then remove that folder and npm run stack:up -- --secure again`
            : `remove ${cluster.dataDir} and npm run stack:up -- --secure again`,
        });
      }
      appendFileSync(join(cluster.dataDir, 'postgresql.conf'), serverConfig(cluster));
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }
  writeFileSync(join(cluster.dataDir, 'pg_hba.conf'), hostBasedAccess(cluster));
  for (const [from, to] of [
    [cluster.certs.serverCertFile, 'server.pem'],
    [cluster.certs.serverKeyFile, 'server.key'],
  ] as const) {
    const target = join(cluster.dataDir, to);
    copyFileSync(from, target);
    // PostgreSQL refuses a key others can read, or one owned by someone else than the server's account.
    chmodSync(target, 0o600);
    handOver(target);
  }
  handOver(join(cluster.dataDir, 'pg_hba.conf'));
  if (!existsSync(cluster.logFile)) writeFileSync(cluster.logFile, '');
  handOver(cluster.logFile);
}

export function postgresClusterRuns(cluster: PostgresCluster): boolean {
  if (!existsSync(join(cluster.dataDir, 'PG_VERSION'))) return false;
  return pgProgram('pg_ctl', ['status', '-D', cluster.dataDir]).status === 0;
}

export function startPostgresCluster(cluster: PostgresCluster): void {
  preparePostgresCluster(cluster);
  if (postgresClusterRuns(cluster)) return;
  // -w: returns once the server takes connections (or says why it could not).
  // A room's address on the command line, not in postgresql.conf: the next start without a room is on 127.0.0.1 again.
  const room = cluster.roomAddress ? ['-o', `-c listen_addresses=127.0.0.1,${cluster.roomAddress}`] : [];
  const start = pgProgram('pg_ctl', ['start', '-w', '-t', '60', '-D', cluster.dataDir, '-l', cluster.logFile, ...room]);
  if (start.status !== 0) {
    throw new KitError(`postgres: pg_ctl start failed: ${start.output.split('\n').slice(-2).join(' ')}`, {
      hint: 'the log says why (a port taken, a key file PostgreSQL refuses)',
      logPath: cluster.logFile,
    });
  }
}

/** True when it was running and is now stopped. */
export function stopPostgresCluster(cluster: PostgresCluster): boolean {
  if (!postgresClusterRuns(cluster)) return false;
  const stop = pgProgram('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', cluster.dataDir]);
  if (stop.status !== 0) {
    throw new KitError(`postgres: pg_ctl stop failed: ${stop.output}`, { logPath: cluster.logFile });
  }
  return true;
}
