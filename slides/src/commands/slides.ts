import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@workshop/shared/repo-root';
import { buildSlides, checkDeckIncludes, defaultOutDir } from '../build.js';
import { decksDir } from '../decks.js';
import { serveSlides } from '../serve.js';
import { paint, runCommand } from '@workshop/shared/terminal';

/**
 * npm run slides        — serve slides/decks with live reload on http://127.0.0.1:8090/ (SLIDES_PORT to change it)
 * npm run slides:build  — slides/dist/*.html, one self-contained file per deck, and index.html
 *                         (`-- --out <dir>` writes elsewhere; `-- --input <dir>` builds other decks, for tests)
 */
const usage = 'usage: tsx slides/src/commands/slides.ts serve | build [--out <dir>] [--input <dir>]';
const defaultSlidesPort = 8090;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, input: { type: 'string' } },
  });
  const [command] = positionals;

  if (command === 'build') {
    const result = await buildSlides(repoRoot, values.out ?? `${repoRoot}/${defaultOutDir}`, values.input ?? `${repoRoot}/${decksDir}`);
    for (const deck of result.unlisted) {
      console.log(
        paint(
          'yellow',
          `  note: ${decksDir}/${deck} is built, but steps/workshop.json has no step ${deck.replace(/\.md$/, '')}, so the index does not list it`,
        ),
      );
    }
    const out = relative(process.cwd(), result.outDir) || '.';
    console.log(
      paint('green', `✓ ${result.decks.length} decks → ${out}/ — open ${out}/index.html; presenter view: press p, or add ?view=presenter`),
    );
    return;
  }

  if (command === 'serve') {
    for (const problem of checkDeckIncludes(repoRoot)) console.log(paint('red', `✗ ${problem}`));
    const port = Number(process.env.SLIDES_PORT ?? defaultSlidesPort);
    console.log(
      `Slides: http://127.0.0.1:${port}/ — live reload on changes to ${decksDir}/, the included solutions and the diagrams. Ctrl-C stops.`,
    );
    process.exitCode = await serveSlides(repoRoot, port);
    return;
  }

  throw new Error(usage);
}

runCommand(main);
