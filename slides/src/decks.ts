import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWorkshopSteps, type WorkshopStep } from '@workshop/shared/workshop-steps';

/**
 * The decks and their order. The step decks follow steps/workshop.json — the workshop's one list of steps — and
 * are named after the step's folder: slides/decks/02-produce-json.md belongs to steps/02-produce-json.
 */
export const decksDir = 'slides/decks';
export const diagramsDir = 'slides/diagrams';
export const themeFile = 'slides/theme/workshop.css';

export interface Deck {
  /** File name without .md: "intro", "02-produce-json", "closing". */
  name: string;
  /** Repository-relative path of the markdown. */
  file: string;
  title: string;
  step?: WorkshopStep;
}

/** intro, one deck per step of workshop.json (in its order), closing — whether or not the files exist yet. */
export function workshopDecks(root: string): Deck[] {
  const deck = (name: string, title: string, step?: WorkshopStep): Deck => ({
    name,
    file: `${decksDir}/${name}.md`,
    title,
    ...(step ? { step } : {}),
  });
  return [
    deck('intro', 'Pushing this button does nothing'),
    ...readWorkshopSteps(root).map((step) => deck(step.dir, `${step.dir.slice(0, 2)} · ${step.title}`, step)),
    deck('closing', 'What next: running it for real'),
  ];
}

/** Deck files in slides/decks that workshop.json does not (yet) know: built, but not in the index. */
export function unlistedDecks(root: string): string[] {
  const known = new Set(workshopDecks(root).map((deck) => `${deck.name}.md`));
  return deckFiles(root).filter((file) => !known.has(file));
}

/** The markdown files in slides/decks, sorted. */
export function deckFiles(root: string): string[] {
  const dir = join(root, decksDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .sort();
}

/**
 * The steps table of the intro deck, as markdown (the engine expands a ```workshop-steps``` fence into it).
 * `extension` is ".html" for the built decks and ".md" under `npm run slides`, whose server renders markdown.
 */
export function stepsTableMarkdown(root: string, extension: '.html' | '.md'): string {
  const rows = workshopDecks(root)
    .filter((deck) => deck.step)
    .map((deck) => {
      const step = deck.step!;
      const title = existsSync(join(root, deck.file)) ? `[${escapeCell(step.title)}](${deck.name}${extension})` : escapeCell(step.title);
      return `| \`${step.dir.slice(0, 2)}\` | ${title} |`;
    });
  return ['| step | title (links to its deck) |', '|---|---|', ...rows].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
