import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureLocalSecrets, localSecretNames, localSecretsDir } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { type ComposeFile, type ComposeService, loadComposeDocument, parseVolume } from './compose-file.js';

/**
 * A fresh clone has no .stack/secrets/: `docker compose up -d` alone must make the passwords ClickHouse and Grafana read
 * (the init service secrets-init), and make them exactly as the kit does — same file names, same format, never replacing
 * one the other made — so the kit's config and the stack always share one password. The script runs here without Docker.
 */

const run = promisify(execFile);
const script = join(repoRoot, 'infra/docker/secrets-init.sh');
const compose = () => loadComposeDocument() as ComposeFile;
const service = (name: string): ComposeService => {
  const found = compose().services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
const secretNames = () => String(service('secrets-init').environment?.SECRET_NAMES ?? '').split(' ');
/** What the kit generates (shared/src/config.ts): 24 random bytes, base64url, no newline. */
const kitFormat = /^[A-Za-z0-9_-]{32}$/;
const mode = (path: string) => statSync(path).mode & 0o777;
/** The default a script variable falls back to, e.g. `${STACK_DIR:-/workshop/stack}` → /workshop/stack. */
const scriptDefault = (variable: string) => new RegExp(`\\$\\{${variable}:-([^}]+)\\}`).exec(readFileSync(script, 'utf8'))?.[1];

async function sandbox() {
  const root = await mkdtemp(join(tmpdir(), 'secrets-init-'));
  const bin = join(root, 'bin');
  await mkdir(bin);
  const chownCalls = join(root, 'chown-calls');
  // Stand-in chown: records what the script hands to whom (the real one needs root, and would change this machine).
  await writeFile(join(bin, 'chown'), `#!/usr/bin/env bash\necho "$*" >> ${chownCalls}\n`);
  await chmod(join(bin, 'chown'), 0o755);
  const stack = join(root, 'checkout', '.stack');
  const volume = join(root, 'volume');
  const runScript = (extra: Record<string, string> = {}) =>
    run('bash', [script], {
      env: {
        ...process.env,
        ...(service('secrets-init').environment as Record<string, string>),
        PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
        STACK_DIR: stack,
        SECRETS_COPY: volume,
        OWNER_REFERENCE: root,
        ...extra,
      },
    });
  const chowned = async () => (existsSync(chownCalls) ? (await readFile(chownCalls, 'utf8')).trim().split('\n') : []);
  return { root, stack, secrets: join(stack, 'secrets'), volume, runScript, chowned };
}

describe('docker-compose.yml and the kit agree on the local passwords', () => {
  it('secrets-init makes the files of localSecretNames (shared/src/config.ts), in the folder the kit reads', () => {
    expect(secretNames()).toEqual([...localSecretNames]);
    const mounts = (service('secrets-init').volumes ?? []).map((spec) => parseVolume(String(spec)));
    const stackMount = mounts.find((m) => m.target === scriptDefault('STACK_DIR'));
    expect(stackMount, 'the script’s STACK_DIR is bind-mounted').toBeDefined();
    expect(resolve(repoRoot, stackMount?.source ?? ''), 'the kit’s .stack (localSecretsDir without WORKSHOP_STACK_DIR)').toBe(
      dirname(localSecretsDir({})),
    );
    expect(mounts.find((m) => m.target === scriptDefault('SECRETS_COPY'))?.source, 'the copy goes into the volume').toBe('stack-secrets');
    expect(mounts.find((m) => m.target === scriptDefault('OWNER_REFERENCE'))?.source, 'a folder of the checkout').toBe('./infra/docker');
  });

  it('ClickHouse and Grafana read them from that volume, after secrets-init succeeded — not from Compose `secrets:`', () => {
    const document = compose() as ComposeFile & { secrets?: unknown };
    // Compose's file secrets are bind mounts made at container creation: a missing file fails `up` before any init runs.
    expect(document.secrets, 'no top-level secrets: (their files would have to exist before up)').toBeUndefined();
    const files: Record<string, string> = {
      clickhouse: String(service('clickhouse').environment?.CLICKHOUSE_PASSWORD_FILE),
      grafana: String(service('grafana').environment?.GF_SECURITY_ADMIN_PASSWORD__FILE),
    };
    expect(files).toEqual({ clickhouse: '/run/secrets/clickhouse-password', grafana: '/run/secrets/grafana-admin-password' });
    for (const [name, file] of Object.entries(files)) {
      const reader = service(name);
      expect(reader.secrets, `${name}: no Compose secrets`).toBeUndefined();
      expect(secretNames(), `${name}: ${file} is one secrets-init makes`).toContain(file.split('/').pop());
      expect(reader.volumes, `${name}: the volume, read-only`).toContain('stack-secrets:/run/secrets:ro');
      expect((reader.depends_on as Record<string, { condition?: string }>)['secrets-init']).toEqual({
        condition: 'service_completed_successfully',
      });
    }
    expect(JSON.stringify(service('clickhouse').healthcheck?.test)).toContain('/run/secrets/clickhouse-password');
  });
});

describe('secrets-init.sh (the init service secrets-init)', () => {
  it('on a fresh clone: creates .stack/secrets/ and every password in the kit’s format, which the kit then reads unchanged', async () => {
    const box = await sandbox();
    const { stdout } = await box.runScript();
    expect(stdout).toBe(`secrets-init: generated ${localSecretNames.join(' ')} in .stack/secrets/\n`);
    expect(mode(box.secrets), 'the folder is the owner’s only, as the kit makes it').toBe(0o700);
    const written: Record<string, string> = {};
    for (const name of localSecretNames) {
      const text = await readFile(join(box.secrets, name), 'utf8');
      expect(text, `${name}: the kit's format`).toMatch(kitFormat);
      expect(mode(join(box.secrets, name)), name).toBe(0o644);
      expect(await readFile(join(box.volume, name), 'utf8'), `${name}: copied into the volume`).toBe(text);
      expect(mode(join(box.volume, name)), `${name}: readable by the services' users`).toBe(0o644);
      written[name] = text;
    }
    expect(mode(box.volume)).toBe(0o755);
    expect(new Set(Object.values(written)).size, 'each password its own').toBe(localSecretNames.length);
    // The next kit command reads these, and writes nothing new: the config's ClickHouse password is the stack's.
    expect(ensureLocalSecrets(box.secrets)).toEqual(written);
    for (const name of localSecretNames) expect(await readFile(join(box.secrets, name), 'utf8')).toBe(written[name]);
    const kitMade = ensureLocalSecrets(join(box.root, 'kit-only'));
    for (const name of localSecretNames) expect(kitMade[name], `the kit's own ${name}: the same format`).toMatch(kitFormat);
  });

  it('keeps every password that exists (the kit made it first) and makes only the missing ones; again at every up', async () => {
    const box = await sandbox();
    const kit = ensureLocalSecrets(box.secrets);
    await rm(join(box.secrets, 'grafana-admin-password'));
    await box.runScript();
    expect(await readFile(join(box.secrets, 'clickhouse-password'), 'utf8')).toBe(kit['clickhouse-password']);
    expect(await readFile(join(box.secrets, 'clickhouse-grafana-password'), 'utf8')).toBe(kit['clickhouse-grafana-password']);
    const grafana = await readFile(join(box.secrets, 'grafana-admin-password'), 'utf8');
    expect(grafana).toMatch(kitFormat);
    expect(grafana).not.toBe(kit['grafana-admin-password']);
    expect(await readFile(join(box.volume, 'clickhouse-password'), 'utf8'), 'the volume has the kit’s password').toBe(
      kit['clickhouse-password'],
    );

    const again = await box.runScript();
    expect(again.stdout).toBe(`secrets-init: .stack/secrets/ already has ${localSecretNames.join(' ')}\n`);
    expect(ensureLocalSecrets(box.secrets)).toEqual({ ...kit, 'grafana-admin-password': grafana });
  });

  it('hands what it manages to the checkout’s owner (Docker creates a missing .stack/ as root), and nothing when it is theirs', async () => {
    const box = await sandbox();
    await box.runScript();
    expect(await box.chowned(), 'everything already belongs to the owner of the checkout').toEqual([]);

    const other = await sandbox();
    // As in the container: the script runs as root, the checkout belongs to someone else.
    await other.runScript({ SECRETS_OWNER: '4242:4243' });
    expect(await other.chowned()).toEqual([
      `4242:4243 ${other.stack}`,
      `4242:4243 ${other.secrets}`,
      ...localSecretNames.map((name) => `4242:4243 ${join(other.secrets, name)}`),
    ]);
  });
});
