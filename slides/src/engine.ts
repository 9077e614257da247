import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { Marp, type MarpOptions } from '@marp-team/marp-core';
import { KitError } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { decksDir, stepsTableMarkdown } from './decks.js';
import { describeSpec, fenceLanguage, includeSpecFromFenceInfo, resolveInclude } from './includes.js';

/**
 * The Marp engine of the workshop's slides (`marp --engine slides/src/engine.ts`, run under tsx).
 * Marp Core, made offline, plus three markdown-it hooks:
 *  - ```ts include=solutions/…/file.ts#region``` → the region's code, and a caption naming file and lines;
 *  - ```workshop-steps``` → the table of steps, read from steps/workshop.json;
 *  - a local image (the diagrams) → a data: URI, so a built deck is one self-contained HTML file.
 */

// Minimal shapes of the markdown-it objects used here (Marp types markdown-it as any).
interface Token {
  type: string;
  info: string;
  content: string;
  meta: unknown;
  children: Token[] | null;
  attrGet(name: string): string | null;
  attrSet(name: string, value: string): void;
}
interface CoreState {
  src: string;
  tokens: Token[];
}
type RenderRule = (tokens: Token[], index: number, options: unknown, env: unknown, self: unknown) => string;
interface MarkdownIt {
  core: {
    ruler: {
      before(name: string, rule: string, fn: (state: CoreState) => void): void;
      after(name: string, rule: string, fn: (state: CoreState) => void): void;
    };
  };
  renderer: { rules: Record<string, RenderRule | undefined> };
  utils: { escapeHtml(text: string): string };
}

export interface SlidesEngineSettings {
  root: string;
  /** ".md" when the decks are served by `marp --server` (it renders markdown), ".html" for built decks. */
  linkExtension: '.html' | '.md';
}

interface IncludeMeta {
  includeLocation: string;
}

export function createSlidesEngine(options: MarpOptions, settings: SlidesEngineSettings): Marp {
  const marp = new Marp({
    ...options,
    // Marp Core's defaults fetch twemoji images and KaTeX fonts from a CDN; the slides must work offline.
    emoji: { shortcode: false, unicode: false },
    // "$" is everywhere in this workshop's code and shell lines ("${topic}-value", "$__timeFilter"): no math.
    math: false,
  });
  return marp
    .use((md: MarkdownIt) => workshopStepsPlugin(md, settings))
    .use((md: MarkdownIt) => includePlugin(md, settings.root))
    .use((md: MarkdownIt) => localImagesPlugin(md, settings.root));
}

/** ```workshop-steps``` → the steps table. Expanded in the source, before parsing, so it is ordinary markdown. */
function workshopStepsPlugin(md: MarkdownIt, settings: SlidesEngineSettings): void {
  md.core.ruler.before('block', 'workshop_steps', (state) => {
    state.src = state.src.replace(/^```workshop-steps[ \t]*\r?\n```[ \t]*$/gm, () =>
      stepsTableMarkdown(settings.root, settings.linkExtension),
    );
  });
}

/** Fills every ```lang include=…``` fence from the repository; a missing or empty region fails the build. */
function includePlugin(md: MarkdownIt, root: string): void {
  md.core.ruler.after('block', 'workshop_include', (state) => {
    for (const token of state.tokens) {
      if (token.type !== 'fence') continue;
      const spec = includeSpecFromFenceInfo(token.info);
      if (!spec) continue;
      if (token.content.trim() !== '') {
        throw new KitError(`include=${describeSpec(spec)}: leave the fence empty — its code comes from the file, never pasted`, {
          code: 'slides-include',
        });
      }
      const included = resolveInclude(root, spec);
      token.content = `${included.code}\n`;
      token.info = fenceLanguage(token.info);
      token.meta = { includeLocation: included.location } satisfies IncludeMeta;
    }
  });
  const renderFence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, index, options, env, self) => {
    const html = renderFence(tokens, index, options, env, self);
    const meta = tokens[index]!.meta as Partial<IncludeMeta> | null;
    if (!meta?.includeLocation) return html;
    // The caption is what the presenter opens in the editor: it moves with the region, so it is never stale.
    return `${html}<p class="code-source">${md.utils.escapeHtml(meta.includeLocation)}</p>\n`;
  };
}

const imageTypes: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

/** `![…](../diagrams/pipeline.svg)` → a data: URI (paths relative to slides/decks/, as an editor's preview sees them). */
function localImagesPlugin(md: MarkdownIt, root: string): void {
  md.core.ruler.after('inline', 'workshop_local_images', (state) => {
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type !== 'image') continue;
        const src = token.attrGet('src') ?? '';
        if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('//')) continue;
        const type = imageTypes[extname(src).toLowerCase()];
        const file = normalize(join(root, decksDir, decodeURI(src)));
        if (!type) throw new KitError(`image ${src}: only local .svg, .png and .jpg images are inlined`, { code: 'slides-include' });
        if (!file.startsWith(root) || !existsSync(file)) {
          throw new KitError(`image ${src}: no such file ${file.slice(root.length + 1)} (paths are relative to ${decksDir}/)`, {
            code: 'slides-include',
          });
        }
        token.attrSet('src', `data:${type};base64,${readFileSync(file).toString('base64')}`);
      }
    }
  });
}

/** marp-cli's functional engine: marp-cli passes Marp's constructor options. */
export default function workshopSlidesEngine(options: MarpOptions): Marp {
  const linkExtension = process.env.WORKSHOP_SLIDES_LINKS === 'md' ? '.md' : '.html';
  return createSlidesEngine(options, { root: repoRoot, linkExtension });
}
