import { KitError } from '@workshop/shared';

/**
 * Named regions in source files — the code that slides show.
 *
 *     // #region produce-keyed
 *     …the lines a slide shows…
 *     // #endregion produce-keyed
 *
 * The markers are plain comments that VS Code folds, so the presenter sees the same region in the editor. Regions do
 * not nest or overlap, every region is closed with its own name, and a name is used once per file: then a region's name
 * means exactly one run of lines, and a slide can never silently show the wrong code.
 */

/** A marker line: `// #region name`, `# #region name`, `-- #region name`, `/* #region name *\/`, `<!-- #region name -->`. */
const markerLine = /^\s*(?:\/\/|#|--|\/\*|<!--)\s*#(region|endregion)\b(.*)$/;
const trailingCommentClose = /\s*(?:\*\/|-->)\s*$/;
const regionName = /^[A-Za-z0-9][\w.-]*$/;

/**
 * A slide's code that cannot be found, with the file and region it names: the slides checks list these per deck.
 * A KitError (code 'slides-include') so a command prints it as one line; `file` and `region` for the checks.
 */
export class RegionError extends KitError {
  override name = 'RegionError';
  constructor(
    readonly file: string,
    readonly region: string | undefined,
    message: string,
  ) {
    super(message, { code: 'slides-include' });
  }
}

export interface SourceRegion {
  name: string;
  /** 1-based line of the `#region` marker. */
  markerLine: number;
  /** 1-based line numbers of the region's first and last content line (the markers excluded). */
  startLine: number;
  endLine: number;
  /** The lines between the markers, blank lines at either end dropped, common indentation removed. */
  code: string;
}

/** Every region of a file, in order. Throws a RegionError for any malformed marker in the file. */
export function listRegions(text: string, file: string): SourceRegion[] {
  const lines = text.split(/\r?\n/);
  const regions: SourceRegion[] = [];
  const seen = new Set<string>();
  let open: { name: string; markerLine: number } | undefined;

  lines.forEach((line, index) => {
    const match = markerLine.exec(line);
    if (!match) return;
    const lineNumber = index + 1;
    const kind = match[1] as 'region' | 'endregion';
    const name = (match[2] ?? '').replace(trailingCommentClose, '').trim();
    const at = `${file}:${lineNumber}`;
    if (kind === 'region') {
      if (!regionName.test(name)) {
        throw new RegionError(file, name || undefined, `${at}: "#region" needs a name of letters, digits, "-", "_" or "." (got "${name}")`);
      }
      if (open) {
        throw new RegionError(
          file,
          name,
          `${at}: region "${name}" starts inside region "${open.name}" (opened on line ${open.markerLine}) — regions do not nest; close "${open.name}" first`,
        );
      }
      if (seen.has(name))
        throw new RegionError(file, name, `${at}: region "${name}" is defined twice in ${file} — give each region its own name`);
      seen.add(name);
      open = { name, markerLine: lineNumber };
      return;
    }
    if (!open) throw new RegionError(file, name || undefined, `${at}: "#endregion ${name}" closes a region that was never opened`);
    if (name !== open.name) {
      throw new RegionError(
        file,
        open.name,
        `${at}: "#endregion${name ? ` ${name}` : ''}" does not close region "${open.name}" (opened on line ${open.markerLine}) — write "#endregion ${open.name}"`,
      );
    }
    regions.push(regionBetween(lines, open.name, open.markerLine, lineNumber));
    open = undefined;
  });

  if (open)
    throw new RegionError(
      file,
      open.name,
      `${file}:${open.markerLine}: region "${open.name}" is never closed — add "#endregion ${open.name}"`,
    );
  return regions;
}

/** The region `name` of a file. Throws a RegionError naming the file and the region when it is missing or empty. */
export function extractRegion(text: string, file: string, name: string): SourceRegion {
  const regions = listRegions(text, file);
  const region = regions.find((candidate) => candidate.name === name);
  if (!region) {
    const known = regions.map((candidate) => candidate.name);
    throw new RegionError(
      file,
      name,
      `${file}: no region "${name}" (${known.length ? `regions in the file: ${known.join(', ')}` : 'the file has no regions'})`,
    );
  }
  if (region.code.trim() === '')
    throw new RegionError(file, name, `${file}:${region.markerLine}: region "${name}" is empty — a slide would show nothing`);
  return region;
}

/** Lines without any region markers: what a file looks like with the markers taken out. */
export function withoutRegionMarkers(text: string): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => !markerLine.test(line.replace(/\r?\n$/, '')))
    .join('');
}

/** True when a line is a region marker (used to check that starter files carry none). */
export function isRegionMarker(line: string): boolean {
  return markerLine.test(line);
}

function regionBetween(lines: string[], name: string, openLine: number, closeLine: number): SourceRegion {
  // Marker lines are 1-based; content is lines openLine+1 … closeLine-1, i.e. indices openLine … closeLine-2.
  let first = openLine;
  let last = closeLine - 2;
  while (first <= last && lines[first]!.trim() === '') first++;
  while (last >= first && lines[last]!.trim() === '') last--;
  const content = lines.slice(first, last + 1);
  return { name, markerLine: openLine, startLine: first + 1, endLine: last + 1, code: dedent(content).join('\n') };
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => (line.trim() === '' ? '' : line.slice(common)));
}
