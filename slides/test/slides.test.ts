import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { checkDeckIncludes, marpArguments } from '../src/build.js';
import { deckFiles, decksDir, workshopDecks } from '../src/decks.js';
import { fenceLanguage, findIncludes } from '../src/includes.js';
import { findNetworkReferences } from '../src/offline-check.js';
import { isRegionMarker, listRegions, withoutRegionMarkers } from '../src/regions.js';
import { solutionDiff } from '../../kit/src/workshop/solution.js';
import { readWorkshopSteps, selectStep, solutionSrc, starterSrc } from '@workshop/shared/workshop-steps';
import { tsxNodeArgs } from '@workshop/shared/testing';

/**
 * The slides, checked as CI sees them: every deck builds offline with marp, the code on the slides comes from the
 * solutions (a missing or empty region fails the build), nothing loads from the network, and Chromium shows
 * slides that fit. Screenshots land in slides/dist/screenshots/ (git-ignored): look at them.
 */
const root = repoRoot;
const distDir = join(root, 'slides/dist');
const screenshotsDir = join(distDir, 'screenshots');
const scratchDir = join(distDir, '.test-scratch');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A closed network and no sandbox for root: Chromium must not phone home, update, or try QUIC. */
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Code smaller than this (after Marp shrinks a wide block) cannot be read from the back of a room. */
const minimumCodePx = 14;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `npm run slides:build` as the script runs it, with extra arguments. */
function slidesBuild(...args: string[]): Promise<Run> {
  return run(process.execPath, [...tsxNodeArgs(), join(root, 'slides/src/commands/slides.ts'), 'build', ...args]);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('slides: decks and their sources', () => {
  it('has an intro, a closing deck and a deck for every step of steps/workshop.json', () => {
    const missing = workshopDecks(root)
      .filter((deck) => !existsSync(join(root, deck.file)))
      .map((deck) => deck.file);
    expect(
      missing,
      `Write these decks (one per step of steps/workshop.json, named after the step's folder): ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('shows only code that is in the repository: every include of every deck resolves', () => {
    const problems = checkDeckIncludes(root);
    expect(problems, `Fix the include or the region:\n${problems.join('\n')}`).toEqual([]);
  });

  it('never pastes code: a TypeScript, JavaScript, JSON or SQL block on a slide is an include', () => {
    const codeLanguages = new Set(['ts', 'typescript', 'js', 'javascript', 'json', 'avsc', 'sql', 'tsx']);
    const pasted: string[] = [];
    for (const file of deckFiles(root)) {
      const lines = readFileSync(join(root, decksDir, file), 'utf8').split('\n');
      const included = new Set(findIncludes(lines.join('\n')).map((include) => include.line));
      lines.forEach((line, index) => {
        const fence = /^ {0,3}(?:`{3,}|~{3,})(.*)$/.exec(line);
        if (fence && codeLanguages.has(fenceLanguage(fence[1] ?? '')) && !included.has(index + 1))
          pasted.push(`${decksDir}/${file}:${index + 1}`);
      });
    }
    expect(pasted, `Show code with include=<file>#<region> instead of pasting it: ${pasted.join(', ')}`).toEqual([]);
  });

  it('marks regions only in the reference solutions, never in a starter', () => {
    const inStarters = filesUnder(join(root, 'steps'))
      .filter((file) => /\/steps\/[^/]+\/src\//.test(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, index) => (isRegionMarker(line) ? [`${relative(root, file)}:${index + 1}`] : [])),
      );
    expect(inStarters, `Region markers belong in solutions/ only (participants edit steps/): ${inStarters.join(', ')}`).toEqual([]);
  });

  it('uses every region marked in solutions/ on some slide (markers no slide uses are noise in the solution)', () => {
    const used = new Set(
      deckFiles(root).flatMap((file) =>
        findIncludes(readFileSync(join(root, decksDir, file), 'utf8')).map(({ spec }) => `${spec.path}#${spec.fragment ?? ''}`),
      ),
    );
    const unused = filesUnder(join(root, 'solutions'))
      .filter((file) => !file.includes('/mistakes/'))
      .flatMap((file) => {
        const path = relative(root, file);
        return listRegions(readFileSync(file, 'utf8'), path)
          .map((region) => `${path}#${region.name}`)
          .filter((ref) => !used.has(ref));
      });
    expect(unused, `Show these regions on a slide, or remove their markers: ${unused.join(', ')}`).toEqual([]);
  });

  it('leaves region markers out of `npm run solution`: a file that differs from the starter only by markers is not shown', () => {
    for (const step of readWorkshopSteps(root).filter((candidate) => existsSync(join(root, solutionSrc(candidate))))) {
      const markedOnly = readdirSync(join(root, solutionSrc(step))).filter((name) => {
        const [solution, starter] = [join(root, solutionSrc(step), name), join(root, starterSrc(step), name)];
        if (!existsSync(starter) || statSync(solution).isDirectory()) return false;
        const text = readFileSync(solution, 'utf8');
        return text !== readFileSync(starter, 'utf8') && withoutRegionMarkers(text) === readFileSync(starter, 'utf8');
      });
      if (markedOnly.length === 0) continue;
      const { diff } = solutionDiff(root, selectStep(readWorkshopSteps(root), step.dir.slice(0, 2)), false);
      for (const name of markedOnly) expect(diff, `${solutionSrc(step)}/${name}`).not.toContain(`${solutionSrc(step)}/${name}`);
    }
  });

  it("keeps every common mistake applicable: a marker never sits inside a patch's context", () => {
    const failures: string[] = [];
    for (const patch of filesUnder(join(root, 'solutions')).filter((file) => file.endsWith('.patch'))) {
      const src = join(patch, '../../src');
      // --fuzz 0: the patch's context lines must match the solution exactly (offsets are fine).
      const result = spawnSync('patch', ['-p1', '--dry-run', '--forward', '--fuzz=0', '-d', src, '-i', patch], { encoding: 'utf8' });
      if (result.status !== 0) failures.push(`${relative(root, patch)}: ${(result.stdout + result.stderr).trim()}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('slides: the build (npm run slides:build)', () => {
  let build: Run;
  beforeAll(async () => {
    build = await slidesBuild();
  }, 60_000);

  it('builds every deck into one HTML file, and an index.html in the order of steps/workshop.json', () => {
    expect(build.code, `slides:build failed:\n${build.stdout}\n${build.stderr}`).toBe(0);
    for (const file of deckFiles(root)) expect(existsSync(join(distDir, file.replace(/\.md$/, '.html'))), file).toBe(true);
    const index = readFileSync(join(distDir, 'index.html'), 'utf8');
    const listed = [...index.matchAll(/<li><a href="([^"?]+)\.html"/g)].map((match) => match[1]);
    const expected = workshopDecks(root)
      .filter((deck) => existsSync(join(root, deck.file)))
      .map((deck) => deck.name);
    expect(listed).toEqual(expected);
    expect(index).toContain('intro.html?view=presenter');
  });

  it('builds decks that load nothing from the network: no script, stylesheet, font or image from a URL', () => {
    const offenders = deckFiles(root).flatMap((file) => {
      const html = readFileSync(join(distDir, file.replace(/\.md$/, '.html')), 'utf8');
      return findNetworkReferences(html).map((reference) => `${file}: ${reference.kind} ${reference.url}`);
    });
    expect(offenders, offenders.join('\n')).toEqual([]);
  });

  it('carries the speaker notes and the code from the solutions into the built deck', () => {
    const html = readFileSync(join(distDir, '02-produce-json.html'), 'utf8');
    expect(html).toContain('<div class="bespoke-marp-note"');
    expect(html).toContain('LIVE: open solutions/02-produce-json/src/produce.ts');
    const solution = readFileSync(join(root, 'solutions/02-produce-json/src/produce.ts'), 'utf8');
    expect(solution).toContain('key: event.session_id');
    expect(html).toMatch(/key<\/span>: event\.session_id|key: event\.session_id/);
    expect(html).toMatch(/<p class="code-source">solutions\/02-produce-json\/src\/produce\.ts:\d+-\d+<\/p>/);
  });

  it('fails when a slide shows a region that is missing or empty, naming the deck, the file and the region', async () => {
    rmSync(scratchDir, { recursive: true, force: true });
    mkdirSync(join(scratchDir, 'decks'), { recursive: true });
    const fixture = join(scratchDir, 'empty-region.ts');
    writeFileSync(fixture, 'export const a = 1;\n// #region nothing-here\n\n// #endregion nothing-here\n');
    const fixturePath = relative(root, fixture);
    const deck = [
      '---',
      'marp: true',
      '---',
      '',
      '# Broken',
      '',
      '```ts include=solutions/02-produce-json/src/produce.ts#no-such-region',
      '```',
      '',
      '---',
      '',
      `\`\`\`ts include=${fixturePath}#nothing-here`,
      '```',
      '',
    ].join('\n');
    writeFileSync(join(scratchDir, 'decks/broken.md'), deck);

    const result = await slidesBuild('--input', join(scratchDir, 'decks'), '--out', join(scratchDir, 'out'));
    expect(result.code).not.toBe(0);
    const deckPath = relative(root, join(scratchDir, 'decks/broken.md'));
    expect(result.stderr).toContain(
      `${deckPath}:7: include=solutions/02-produce-json/src/produce.ts#no-such-region — solutions/02-produce-json/src/produce.ts: no region "no-such-region" (the file has no regions)`,
    );
    expect(result.stderr).toContain(
      `${deckPath}:12: include=${fixturePath}#nothing-here — ${fixturePath}:2: region "nothing-here" is empty`,
    );

    // And the engine itself refuses, even without the CLI's check first: marp exits non-zero with the reason.
    const marp = await run(process.execPath, [
      ...tsxNodeArgs(),
      join(root, 'node_modules/@marp-team/marp-cli/marp-cli.js'),
      ...marpArguments(root, join(scratchDir, 'decks')),
      '--output',
      join(scratchDir, 'out'),
    ]);
    expect(marp.code).not.toBe(0);
    expect(marp.stdout + marp.stderr).toContain('no region "no-such-region"');
    expect(existsSync(join(scratchDir, 'out/broken.html'))).toBe(false);
    rmSync(scratchDir, { recursive: true, force: true });
  }, 30_000);
});

describe('slides: in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    expect(
      existsSync(chromiumPath),
      `The slides test needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH); ${chromiumPath} not found`,
    ).toBe(true);
    // playwright gives Chromium a fresh, temporary --user-data-dir of its own.
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every slide within its frame, with readable code and nothing fetched from the network; screenshots the intro and a code slide', async () => {
    const built = deckFiles(root).map((file) => file.replace(/\.md$/, '.html'));
    expect(built.length, 'run the build first (the describe above)').toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const network: string[] = [];
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (/^(file|data|blob|about):/.test(url)) return route.continue();
      network.push(url);
      return route.abort();
    });

    const problems: string[] = [];
    for (const file of built) {
      await page.goto(pathToFileURL(join(distDir, file)).href);
      await page.waitForFunction(() => document.querySelectorAll('section[id]').length > 0);
      // The bespoke template skips the layout of slides not on screen (content-visibility: hidden); lay them all out.
      await page.addStyleTag({ content: 'svg.bespoke-marp-slide { content-visibility: visible !important; }' });
      // Marp sizes each code block (the viewBox of its SVG) a moment after layout, once fonts are in: measure after that.
      await page.evaluate(() => document.fonts.ready);
      await page.waitForFunction(() =>
        [...document.querySelectorAll('marp-pre')].every(
          (pre) => (pre.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg')?.viewBox.baseVal.width ?? 0) > 0,
        ),
      );
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const slides = await page.evaluate(() =>
        [...document.querySelectorAll('section[id]')].map((section) => {
          const scale = section.getBoundingClientRect().width / section.clientWidth || 1;
          const code = [...section.querySelectorAll('marp-pre')].map((pre) => {
            // Marp shrinks a block wider than the slide: its SVG's viewBox is the natural width.
            const svg = pre.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg');
            const fontSize = parseFloat(getComputedStyle(pre.querySelector('code') ?? pre).fontSize);
            const natural = svg?.viewBox.baseVal.width ?? 0;
            const shown = svg ? svg.getBoundingClientRect().width / scale : natural;
            return fontSize * Math.min(1, shown / natural);
          });
          return { id: section.id, overflow: section.scrollHeight - section.clientHeight, smallestCode: Math.min(...code, Infinity) };
        }),
      );
      for (const slide of slides) {
        if (slide.overflow > 1) problems.push(`${file} slide ${slide.id}: content runs ${slide.overflow}px below the slide`);
        if (slide.smallestCode < minimumCodePx)
          problems.push(
            `${file} slide ${slide.id}: code shrunk to ${slide.smallestCode.toFixed(1)}px (< ${minimumCodePx}px): show a shorter region`,
          );
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(network, `Slides must work offline; they requested: ${network.join(', ')}`).toEqual([]);

    rmSync(screenshotsDir, { recursive: true, force: true });
    mkdirSync(screenshotsDir, { recursive: true });
    // The on-screen controller fades out after a moment of no mouse movement; hide it for a stable picture.
    const hideControls = '.bespoke-marp-osc { display: none !important; }';
    const shoot = async (file: string, slide: string, name: string) => {
      await page.goto(`${pathToFileURL(join(distDir, file)).href}#${slide}`);
      await page.addStyleTag({ content: hideControls });
      await page.waitForFunction((id) => document.querySelector(`section[id="${id}"]`) !== null, slide);
      await page.screenshot({ path: join(screenshotsDir, name) });
    };
    await shoot('intro.html', '1', 'intro-title.png');
    await page.goto(pathToFileURL(join(distDir, '02-produce-json.html')).href);
    // The slide that shows the keyed send: the heart of step 02.
    const codeSlide = await page.evaluate(() => {
      const slide = [...document.querySelectorAll('section[id]')].find((section) =>
        section.querySelector('marp-pre')?.textContent?.includes('key: event.session_id'),
      );
      return slide?.id;
    });
    expect(codeSlide, '02-produce-json has no slide with the keyed send from produce.ts').toBeDefined();
    await shoot('02-produce-json.html', codeSlide!, '02-produce-json-code.png');
    for (const name of ['intro-title.png', '02-produce-json-code.png'])
      expect(statSync(join(screenshotsDir, name)).size).toBeGreaterThan(10_000);
    await page.close();
  }, 60_000);
});
