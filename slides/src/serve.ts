import { existsSync, readFileSync, utimesSync, watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import { marpCli } from '@marp-team/marp-cli';
import { marpArguments } from './build.js';
import { deckFiles, decksDir, diagramsDir } from './decks.js';
import { findIncludes } from './includes.js';

/**
 * `npm run slides`: marp's server renders each deck on request and reloads the browser when a deck changes.
 * Marp only watches the decks; a slide's code lives in solutions/, its diagrams in slides/diagrams/ and the steps
 * table in steps/workshop.json — so when one of those changes, the decks that use it are touched (their mtime
 * only: the content stays as it is) and marp reloads them too.
 */
export async function serveSlides(root: string, port: number): Promise<number> {
  process.env.WORKSHOP_SLIDES_LINKS = 'md';
  // marp's server reads PORT; its default, 8080, is the button app's (shared/src/names.ts).
  process.env.PORT = String(port);
  const watchers = watchDeckSources(root);
  try {
    return await marpCli([...marpArguments(root), '--server']);
  } finally {
    for (const watcher of watchers) watcher.close();
  }
}

/** Decks that show `changed` (a repository-relative path). */
export function decksUsing(root: string, changed: string): string[] {
  return deckFiles(root)
    .map((file) => `${decksDir}/${file}`)
    .filter((deck) => {
      const markdown = readFileSync(join(root, deck), 'utf8');
      if (changed === 'steps/workshop.json') return markdown.includes('```workshop-steps');
      if (changed.startsWith(`${diagramsDir}/`)) return markdown.includes(changed.slice(diagramsDir.length + 1));
      return findIncludes(markdown).some(({ spec }) => spec.path === changed);
    });
}

function watchDeckSources(root: string): FSWatcher[] {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const changed = (path: string) => {
    pending.add(relative(root, path).split('\\').join('/'));
    clearTimeout(timer);
    // Editors write a file in several steps: touch once they are done.
    timer = setTimeout(() => {
      const now = new Date();
      const decks = new Set([...pending].flatMap((file) => decksUsing(root, file)));
      pending.clear();
      for (const deck of decks) utimesSync(join(root, deck), now, now);
    }, 200);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of ['solutions', diagramsDir]) {
    if (!existsSync(join(root, dir))) continue;
    watchers.push(watch(join(root, dir), { recursive: true }, (_event, file) => file && changed(join(root, dir, file.toString()))));
  }
  watchers.push(watch(join(root, 'steps/workshop.json'), () => changed(join(root, 'steps/workshop.json'))));
  return watchers;
}
