import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { dockerEngineAnswers } from '../../src/docker/engine.js';
import { removeDockerEnv, withoutDockerBlock } from '../../src/docker/env-file.js';
import { chooseStackProfile, StackProfileError } from '../../src/profiles/choose.js';
import { stackProfileNames } from '../../src/profiles/profile.js';

/**
 * Which stack `npm run stack:*` works on, and what happens without a Docker engine. A stand-in `docker`
 * first on PATH plays the engine, so these tests behave the same on a laptop whose Docker runs.
 */

async function fakeDocker(script: string): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-docker-'));
  await writeFile(join(dir, 'docker'), `#!/bin/sh\n${script}\n`);
  await chmod(join(dir, 'docker'), 0o755);
  return { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` };
}

const noDaemon = 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1';

function runStackCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'infra/src/commands/stack.ts'), ...args], {
      cwd: repoRoot,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 }));
  });
}

describe('stack profile', () => {
  const engineMustNotBeAsked = async () => {
    throw new Error('the engine was asked although STACK decides');
  };

  it('STACK decides, in any case, without asking Docker', async () => {
    for (const profile of ['native', 'docker', 'aiven', 'secure', 'room'] as const) {
      expect((await chooseStackProfile({ STACK: profile }, engineMustNotBeAsked)).profile).toBe(profile);
    }
    expect((await chooseStackProfile({ STACK: 'Docker' }, engineMustNotBeAsked)).profile).toBe('docker');
  });

  it('refuses an unknown STACK, naming the choices', async () => {
    const error = await chooseStackProfile({ STACK: 'kubernetes' }, engineMustNotBeAsked).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackProfileError);
    expect((error as Error).message).toBe(`STACK must be one of ${stackProfileNames.join(', ')} (got "kubernetes")`);
    expect(stackProfileNames).toEqual(expect.arrayContaining(['native', 'docker', 'aiven']));
  });

  it('without STACK: docker when an engine answers, else native (saying why)', async () => {
    expect((await chooseStackProfile({}, async () => ({ answers: true }))).profile).toBe('docker');
    const native = await chooseStackProfile({}, async () => ({ answers: false, reason: 'the docker command is not installed' }));
    expect(native).toEqual({ profile: 'native', why: 'no Docker engine (the docker command is not installed)' });
  });

  it('an engine that refuses is "no engine", with the reason the docker CLI gave', async () => {
    const answer = await dockerEngineAnswers({ env: await fakeDocker(noDaemon) });
    expect(answer.answers).toBe(false);
    expect(answer.reason).toMatch(/Cannot connect to the Docker daemon/);
  });

  it('an engine that hangs is "no engine" after the deadline, not a hang', async () => {
    const t0 = Date.now();
    const answer = await dockerEngineAnswers({ env: await fakeDocker('sleep 30'), timeoutMs: 500 });
    expect(answer).toEqual({ answers: false, reason: 'docker info did not answer within 0.5 s' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('an engine that answers is "an engine"', async () => {
    expect(await dockerEngineAnswers({ env: await fakeDocker('echo 28.2.2') })).toEqual({ answers: true });
  });
});

describe('npm run stack:up with STACK=docker and no engine', () => {
  it('fails at once with one clear line (exit 1), and starts nothing', async () => {
    const sandbox = await mkdtemp(join(tmpdir(), 'stack-cli-'));
    const env = {
      ...(await fakeDocker(noDaemon)),
      STACK: 'docker',
      WORKSHOP_STACK_DIR: join(sandbox, 'stack'),
      WORKSHOP_CACHE_DIR: join(sandbox, 'cache'),
    };
    const result = await runStackCli(['up'], env);
    expect(result.code).toBe(1);
    const errorLines = result.stderr.trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(
      /^✗ docker: no Docker engine answers \(Cannot connect to the Docker daemon.*\) — start Docker, or run the native stack: STACK=native npm run stack:up$/,
    );
    expect(result.stdout).not.toMatch(/Starting/);
    expect(result.seconds).toBeLessThan(20);
  });

  it('STACK=aiven: up and down are no-ops that say what to do instead', async () => {
    const env = { ...(await fakeDocker('exit 99')), STACK: 'aiven' };
    const up = await runStackCli(['up'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/the services run on Aiven.*terraform apply.*npm run aiven:env.*Nothing was done\./s);
    const down = await runStackCli(['down'], env);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/terraform destroy.*Nothing was done\./s);
  });
});

describe('.env left by an earlier docker stack', () => {
  const leftover =
    '# >>> docker stack (written by npm run stack:up, removed by npm run stack:down)\nCONNECT_JDBC_URL=jdbc:postgresql://postgres:5432/workshop\n# <<< docker stack\n';

  it("is cleaned of the old CONNECT_JDBC_URL block (a native Connect reaches nothing at postgres:5432), the participant's lines kept", async () => {
    const envPath = join(await mkdtemp(join(tmpdir(), 'env-')), '.env');
    await writeFile(envPath, `# mine\nPGUSER=me\n${leftover}A=1\n`);
    expect(await removeDockerEnv(envPath)).toBe(true);
    expect(await readFile(envPath, 'utf8')).toBe('# mine\nPGUSER=me\nA=1\n');
    expect(await removeDockerEnv(envPath), 'nothing left to remove').toBe(false);
  });

  it("never touches a participant's own CONNECT_JDBC_URL", async () => {
    const own = 'CONNECT_JDBC_URL=jdbc:postgresql://db.example:5432/workshop\n';
    expect(withoutDockerBlock(own)).toBe(own);
    expect(withoutDockerBlock(`${own}${leftover}`)).toBe(own);
  });
});
