import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';

/** Where the native stack keeps things. Logs, data and pids live in the repo's git-ignored `.stack/`;
 *  downloaded artifacts are cached outside the repo so a fresh clone or `git clean` does not refetch them. */
export interface StackPaths {
  repoRoot: string;
  stackDir: string;
  logsDir: string;
  dataDir: string;
  runDir: string;
  configDir: string;
  cacheDir: string;
  mavenPom: string;
  artifactsLock: string;
  log4jConfig: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const stackDir = resolve(env.WORKSHOP_STACK_DIR ?? join(repoRoot, '.stack'));
  const cacheHome = env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return {
    repoRoot,
    stackDir,
    logsDir: join(stackDir, 'logs'),
    dataDir: join(stackDir, 'data'),
    runDir: join(stackDir, 'run'),
    configDir: join(stackDir, 'config'),
    cacheDir: resolve(env.WORKSHOP_CACHE_DIR ?? join(cacheHome, 'pushing-button-kit')),
    mavenPom: join(repoRoot, 'infra/native/maven/pom.xml'),
    artifactsLock: join(repoRoot, 'infra/native/artifacts.lock.json'),
    log4jConfig: join(repoRoot, 'infra/native/log4j2.properties'),
  };
}

/** The log file of a service: the path every error message points at. */
export function serviceLogPath(paths: StackPaths, service: string): string {
  return join(paths.logsDir, `${service}.log`);
}
