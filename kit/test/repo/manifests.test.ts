import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';

/**
 * Each workspace's package.json tells the truth: what its src imports is in `dependencies`, what only its tests
 * (and vitest.config.ts) import is in `dependencies` or `devDependencies`. npm hoists everything to the root, so a
 * missing entry works today by luck — and breaks the day a version differs or the workspace is used alone.
 *
 * A step's src counts together with its reference solution's (solutions/NN-name/src), which its tests also run.
 * A relative import into a file that belongs to no workspace (kit's pipeline → solutions/) is followed; one into
 * another workspace counts as depending on that workspace, whose own manifest covers its imports.
 */

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest;
}

function workspaces(): Workspace[] {
  const patterns = readManifest('.').workspaces ?? [];
  const dirs = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
  return dirs.map((dir) => ({ dir, manifest: readManifest(dir) }));
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Module specifiers a file imports: static, dynamic, `export … from`, and files it resolves (`createRequire(…).resolve('htmx.org/…')`). */
function importedSpecifiers(text: string): string[] {
  // TypeScript's own scanner: imports quoted inside template strings (test fixtures) are not imports.
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
  for (const match of text.matchAll(/(?:[rR]equire\w*(?:\([^)]*\))?|import\.meta)\.resolve\(\s*['"]([^'"]+)['"]/g))
    specifiers.push(match[1] ?? '');
  return specifiers;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** The packages `files` import, following relative imports into files of no workspace. */
function importedPackages(files: string[], self: Workspace, all: Workspace[]): Set<string> {
  const owner = (file: string) => all.find((w) => file.startsWith(`${join(repoRoot, w.dir)}/`));
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importedSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        const workspace = owner(target);
        if (workspace && workspace !== self) packages.add(workspace.manifest.name);
        else if (!workspace && existsSync(target)) queue.push(target);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }
  packages.delete(self.manifest.name);
  return packages;
}

function importsOf(workspace: Workspace, all: Workspace[]) {
  const solution = workspace.dir.startsWith('steps/') ? [join(repoRoot, 'solutions', workspace.dir.slice('steps/'.length), 'src')] : [];
  const srcFiles = [join(repoRoot, workspace.dir, 'src'), ...solution].flatMap(sourceFiles);
  const testFiles = [...sourceFiles(join(repoRoot, workspace.dir, 'test')), join(repoRoot, workspace.dir, 'vitest.config.ts')].filter(
    existsSync,
  );
  return { src: importedPackages(srcFiles, workspace, all), test: importedPackages(testFiles, workspace, all) };
}

const all = workspaces();

describe('package manifests', () => {
  it('reads every workspace, and sees what step 08 imports (fastify, its plugins, the htmx file it serves)', () => {
    expect(all.map((w) => w.dir)).toEqual(expect.arrayContaining(['shared', 'infra', 'kit', 'slides', 'steps/08-button-app']));
    const step08 = all.find((w) => w.dir === 'steps/08-button-app');
    if (!step08) throw new Error('no steps/08-button-app workspace');
    expect([...importsOf(step08, all).src]).toEqual(expect.arrayContaining(['fastify', '@fastify/static', 'htmx.org', '@workshop/shared']));
    expect(importedSpecifiers("const t = `import x from 'not-a-dependency';`;\nimport { a } from 'real';")).toEqual(['real']);
  });

  it.each(all.map((w) => [w.dir, w] as const))('%s lists what its code imports', (_dir, workspace) => {
    const { src, test } = importsOf(workspace, all);
    const dependencies = new Set(Object.keys(workspace.manifest.dependencies ?? {}));
    const devDependencies = new Set(Object.keys(workspace.manifest.devDependencies ?? {}));
    const where = `${workspace.dir}/package.json`;
    expect([...src].filter((name) => !dependencies.has(name)).sort(), `${where}: "dependencies" lacks what src imports`).toEqual([]);
    expect(
      [...test].filter((name) => !dependencies.has(name) && !devDependencies.has(name)).sort(),
      `${where}: "devDependencies" lacks what the tests import`,
    ).toEqual([]);
  });

  it('the root lists only the dev tools, no runtime dependency of a workspace', () => {
    expect(readManifest('.').dependencies ?? {}).toEqual({});
  });
});
