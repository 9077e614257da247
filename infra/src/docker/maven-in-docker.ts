import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { MavenRunner } from '../native/artifacts.js';
import type { StackPaths } from '../native/paths.js';

/**
 * Maven for a participant who has Docker but no Java: the pinned Maven image runs the same `mvn` command
 * lines as the native stack. Every folder Maven reads or writes is mounted at its own host path, so the
 * paths in those command lines (the pom, the artifact cache, ~/.m2) mean the same inside and outside;
 * and it runs as the host user, so what it writes is the participant's, not root's.
 */
export function mavenInDocker(
  paths: StackPaths,
  image: string,
  options: { home?: string; uid?: number; gid?: number } = {},
): MavenRunner {
  const home = options.home ?? homedir();
  const m2 = join(home, '.m2');
  const uid = options.uid ?? process.getuid?.();
  const gid = options.gid ?? process.getgid?.();
  const mounts = [m2, paths.cacheDir, dirname(paths.mavenPom)].flatMap((dir) => ['-v', `${dir}:${dir}`]);
  return {
    command: 'docker',
    prefixArgs: [
      'run',
      '--rm',
      ...(uid !== undefined && gid !== undefined ? ['--user', `${uid}:${gid}`] : []),
      // The image's user has no home of its own when run as the host's uid.
      '-e',
      'HOME=/tmp',
      '-e',
      'MAVEN_CONFIG=/tmp/.m2',
      ...mounts,
      image,
      'mvn',
      `-Dmaven.repo.local=${join(m2, 'repository')}`,
    ],
  };
}
