import { type Cell, isParticipantStuck, isStuck, type ParticipantRow, roomTotals } from './board-state.js';

/**
 * The board's HTML: a page with a grid that htmx refreshes every few seconds (a GET of the fragment; nothing else). One
 * row per participant, one column per step: passing, failing, stuck or untouched; the room's totals above it.
 */

export interface GridView {
  rows: ParticipantRow[];
  steps: readonly string[];
  now: Date;
  stuckAfterMs: number;
  onlyStuck: boolean;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

function minutes(ms: number): string {
  return `${Math.max(1, Math.floor(ms / 60_000))} min`;
}

function cellHtml(step: string, cell: Cell | undefined, view: GridView): string {
  if (!cell) return `<td class="cell untouched" data-step="${escapeHtml(step)}" data-state="untouched">·</td>`;
  const stuck = isStuck(cell, view.now, view.stuckAfterMs);
  const state = cell.state === 'passing' ? 'passing' : stuck ? 'stuck' : 'failing';
  const text =
    state === 'passing'
      ? `✓ ${cell.passed}`
      : state === 'stuck'
        ? `stuck ${minutes(view.now.getTime() - cell.failingSince!.getTime())}`
        : `✗ ${cell.passed}/${cell.passed + cell.failed}`;
  const title = cell.state === 'failing' ? [cell.firstFailingTest, cell.hint].filter(Boolean).join(' — ') : `${cell.passed} tests pass`;
  return `<td class="cell ${state}" data-step="${escapeHtml(step)}" data-state="${state}" title="${escapeHtml(title)}">${escapeHtml(text)}</td>`;
}

export function gridHtml(view: GridView): string {
  const totals = roomTotals(view.rows, view.steps, view.now, view.stuckAfterMs);
  const rows = view.onlyStuck ? view.rows.filter((row) => isParticipantStuck(row, view.now, view.stuckAfterMs)) : view.rows;
  const header = view.steps
    .map((step) => `<th scope="col">${escapeHtml(step.slice(0, 2))}<small>${totals.passingPerStep[step] ?? 0}</small></th>`)
    .join('');
  const body = rows
    .map((row) => {
      const current = row.cells.get(row.currentStep);
      const now = current?.state === 'failing' && current.hint ? `<span class="hint">${escapeHtml(current.hint)}</span>` : '';
      return `<tr data-participant="${escapeHtml(row.participant)}"><th scope="row">${escapeHtml(row.participant)}</th>${view.steps
        .map((step) => cellHtml(step, row.cells.get(step), view))
        .join('')}<td class="now">${now}</td></tr>`;
    })
    .join('\n');
  const empty =
    rows.length === 0
      ? `<p class="empty">${view.onlyStuck ? 'Nobody is stuck.' : 'No test run yet: participants appear with their first npm test.'}</p>`
      : '';
  return `<p class="totals" data-participants="${totals.participants}" data-stuck="${totals.stuck}">${totals.participants} participants · ${totals.stepsPassed} steps passed · <strong>${totals.stuck} stuck</strong> (same test failing for more than ${minutes(view.stuckAfterMs)})</p>
<table><thead><tr><th scope="col">participant</th>${header}<th scope="col">first hint now</th></tr></thead>
<tbody>
${body}
</tbody></table>${empty}`;
}

export function boardPageHtml(view: GridView, refreshMs: number): string {
  const gridUrl = view.onlyStuck ? '/grid?only=stuck' : '/grid';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>The room — workshop board</title>
  <link rel="stylesheet" href="/board.css">
  <script src="/htmx.min.js" defer></script>
</head>
<body>
  <h1>The room</h1>
  <nav><a href="/"${view.onlyStuck ? '' : ' aria-current="page"'}>everyone</a> · <a href="/?only=stuck"${view.onlyStuck ? ' aria-current="page"' : ''}>stuck only</a></nav>
  <div id="grid" hx-get="${gridUrl}" hx-trigger="every ${Math.max(250, refreshMs)}ms">
${gridHtml(view)}
  </div>
</body>
</html>
`;
}
