import { paint } from '@workshop/shared/terminal';

/** The one line a command says when the state file could not be used (`problem` names the file and the field). */
export function unreadableStateLine(problem: string): string {
  return paint('yellow', `! ${problem} — starting from a fresh state (step statuses are measured again)`);
}

/** On stderr, so the command's own output (and its last line, the summary) stays as it is. */
export function warnIfStateUnreadable(problem: string | undefined): void {
  if (problem) console.error(unreadableStateLine(problem));
}
