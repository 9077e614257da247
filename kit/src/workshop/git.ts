import { spawnSync } from 'node:child_process';
// From its module, not the '@workshop/shared' index, which loads every client library (~1.3 s).
import { KitError } from '@workshop/shared/errors';

/**
 * The few git questions the workshop CLI asks about a step's src/: is it still the starter, what changed,
 * and put it back. Every path is relative to `root` (the kit's checkout), which is where git runs.
 */

function git(root: string, args: string[]) {
  return spawnSync('git', args, { cwd: root, encoding: 'utf8' });
}

export function isGitCheckout(root: string): boolean {
  const result = git(root, ['rev-parse', '--is-inside-work-tree']);
  return result.status === 0 && result.stdout.trim() === 'true';
}

/** True when HEAD has `path` (a step added since the last commit has nothing to compare with or restore). */
export function isInHead(root: string, path: string): boolean {
  return git(root, ['cat-file', '-e', `HEAD:${path}`]).status === 0;
}

export interface ChangedFile {
  path: string;
  /** modified, deleted (both restored by a reset) or new (not part of the starter: a reset leaves it alone). */
  change: 'modified' | 'deleted' | 'new';
}

/** What differs under `path` from HEAD, working tree and index together, including files git does not know yet. */
export function changedFiles(root: string, path: string): ChangedFile[] {
  const tracked = git(root, ['diff', '--name-status', '--no-renames', 'HEAD', '--', path]);
  if (tracked.status !== 0)
    throw new KitError(`git diff failed in ${root}: ${tracked.stderr.trim()}`, {
      hint: 'git status says what git makes of this checkout',
      code: 'git',
    });
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '--', path]);
  const changes: ChangedFile[] = tracked.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [status, file] = line.split('\t');
      return { path: file!, change: status === 'D' ? 'deleted' : status === 'A' ? 'new' : 'modified' };
    });
  for (const file of untracked.stdout.split('\n').filter(Boolean)) changes.push({ path: file, change: 'new' });
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * True when `path` is exactly as committed (`git diff --quiet HEAD` and no new files). Undefined when git
 * cannot tell (no checkout, or the step is not committed yet): the caller then runs the tests to find out.
 */
export function isUnchangedFromHead(root: string, path: string): boolean | undefined {
  if (!isGitCheckout(root) || !isInHead(root, path)) return undefined;
  return changedFiles(root, path).length === 0;
}

/** `git checkout HEAD -- path`: the committed files back, in the working tree and the index; nothing else touched. */
export function restoreFromHead(root: string, path: string): void {
  const result = git(root, ['checkout', 'HEAD', '--', path]);
  if (result.status !== 0) {
    // Most often another git command holds the index (an editor's git integration): waiting and retrying is the fix.
    throw new KitError(`git checkout HEAD -- ${path} failed: ${result.stderr.trim()}`, {
      hint: 'run the reset again; if git names .git/index.lock, close whatever else is running git first',
      code: 'git',
    });
  }
}
