import { randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The room code: shown on the presenter's screen, typed by each participant into `npm run join`. It gates the join
 * endpoint (which hands out the room's credentials), so it is random per room — 8 characters of 30, 30⁸ ≈ 6·10¹¹
 * codes, and the endpoint stops answering an address after a few wrong ones — and readable from a projector: no 0/O,
 * 1/I/L, nor U (read as V), shown as two groups (`K7QM-3XHD`). Typed in any case, with or without the dash.
 */
const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const length = 8;

export function newRoomCode(random: (max: number) => number = randomInt): string {
  const chars = Array.from({ length }, () => alphabet[random(alphabet.length)]!);
  return `${chars.slice(0, length / 2).join('')}-${chars.slice(length / 2).join('')}`;
}

/** What a participant typed, as the room compares it: upper case, no dash or spaces. */
export function normalisedRoomCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** Constant-time: how long a wrong code takes says nothing about how much of it was right. */
export function roomCodeMatches(typed: string | undefined, code: string): boolean {
  if (typed === undefined) return false;
  const given = Buffer.from(normalisedRoomCode(typed));
  const expected = Buffer.from(normalisedRoomCode(code));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
