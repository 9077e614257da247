import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { marpCli } from '@marp-team/marp-cli';
import { KitError } from '@workshop/shared';
import { deckFiles, decksDir, themeFile, unlistedDecks, workshopDecks } from './decks.js';
import { describeSpec, findIncludes, resolveInclude } from './includes.js';
import { findNetworkReferences } from './offline-check.js';

/** The engine file marp-cli loads (TypeScript: marp runs in a tsx process). */
export const engineFile = 'slides/src/engine.ts';
export const defaultOutDir = 'slides/dist';

/** Every include of every deck, resolved: "slides/decks/02-produce-json.md:31: solutions/…: no region "x" (…)". */
export function checkDeckIncludes(root: string, decks: string[] = deckFiles(root).map((file) => `${decksDir}/${file}`)): string[] {
  const problems: string[] = [];
  for (const deck of decks) {
    for (const { line, spec } of findIncludes(readFileSync(join(root, deck), 'utf8'))) {
      try {
        resolveInclude(root, spec);
      } catch (error) {
        problems.push(`${deck}:${line}: include=${describeSpec(spec)} — ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/** The arguments for marp-cli shared by `npm run slides` and `npm run slides:build`. */
export function marpArguments(root: string, inputDir = join(root, decksDir)): string[] {
  return [
    '--no-config-file',
    '--engine',
    join(root, engineFile),
    '--theme-set',
    join(root, themeFile),
    '--input-dir',
    inputDir,
    '--bespoke.progress',
  ];
}

export interface BuildResult {
  outDir: string;
  decks: string[];
  unlisted: string[];
}

/**
 * `npm run slides:build`: checks every include, builds every deck of slides/decks into one self-contained HTML
 * file each (presenter view: add ?view=presenter), writes index.html from steps/workshop.json, and refuses a deck
 * that would load anything from the network.
 */
export async function buildSlides(root: string, outDir = join(root, defaultOutDir), inputDir = join(root, decksDir)): Promise<BuildResult> {
  const decks = readdirSync(inputDir)
    .filter((file) => file.endsWith('.md'))
    .sort();
  const problems = checkDeckIncludes(
    root,
    decks.map((file) => relative(root, join(inputDir, file))),
  );
  if (problems.length) {
    throw new KitError(`Slides show code that is not in the repository:\n  ${problems.join('\n  ')}`, {
      code: 'slides-include',
      hint: 'fix the include= in the deck, or the #region in the file it names; npm run slides lists them as you edit',
    });
  }

  mkdirSync(outDir, { recursive: true });
  const previous = process.env.WORKSHOP_SLIDES_LINKS;
  process.env.WORKSHOP_SLIDES_LINKS = 'html';
  let status: number;
  try {
    status = await marpCli([...marpArguments(root, inputDir), '--output', outDir]);
  } finally {
    if (previous === undefined) delete process.env.WORKSHOP_SLIDES_LINKS;
    else process.env.WORKSHOP_SLIDES_LINKS = previous;
  }
  if (status !== 0) throw new KitError(`marp could not build the slides (exit ${status})`, { hint: "marp's own message is above" });

  const built = decks.map((file) => file.replace(/\.md$/, '.html'));
  const offline: string[] = [];
  for (const file of built) {
    const path = join(outDir, file);
    // Not a person's to fix: marp said it built the deck. A bug here or in marp.
    if (!existsSync(path)) throw new Error(`marp reported success but wrote no ${relative(root, path)}`);
    for (const reference of findNetworkReferences(readFileSync(path, 'utf8'))) offline.push(`${file}: ${reference.kind} ${reference.url}`);
  }
  if (offline.length) {
    throw new KitError(`Built slides would load from the network (they must work offline):\n  ${offline.join('\n  ')}`, {
      hint: 'use a file in the repository (slides/images, slides/diagrams, slides/theme) instead of each URL above',
    });
  }

  writeFileSync(join(outDir, 'index.html'), indexHtml(root, new Set(built)));
  return { outDir, decks: built, unlisted: inputDir === join(root, decksDir) ? unlistedDecks(root) : [] };
}

/** The index of the built decks, in the order of steps/workshop.json; each with its presenter view. */
export function indexHtml(root: string, built: Set<string>): string {
  const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const rows = workshopDecks(root)
    .filter((deck) => built.has(`${deck.name}.html`))
    .map((deck) => {
      const file = `${deck.name}.html`;
      const about = deck.step ? `<p>${escapeHtml(deck.step.teaches)}</p>` : '';
      return `<li><a href="${file}">${escapeHtml(deck.title)}</a> <a class="presenter" href="${file}?view=presenter">presenter view</a>${about}</li>`;
    });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pushing this button does nothing — slides</title>
<style>
  body { font-family: 'Segoe UI', 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif; max-width: 52rem; margin: 3rem auto; padding: 0 1rem; color: #1b1f24; line-height: 1.45; }
  h1 { color: #0b4f9c; }
  ul { list-style: none; padding: 0; }
  li { margin: 0 0 1rem; }
  li > a:first-child { font-weight: 700; font-size: 1.15rem; color: #0b4f9c; }
  a.presenter { margin-left: 0.75rem; font-size: 0.9rem; color: #4b5563; }
  li p { margin: 0.2rem 0 0; color: #4b5563; }
</style>
</head>
<body>
<h1>Pushing this button does nothing — slides</h1>
<p>One deck per step of <code>steps/workshop.json</code>. Keys: → / ← to move, <kbd>f</kbd> full screen, <kbd>p</kbd> presenter view (notes, next slide, timer).</p>
<ul>
${rows.join('\n')}
</ul>
</body>
</html>
`;
}
