/**
 * Assertions that tell a participant what to do next. A failing step test should read like a hint
 * ("Give every message a key: the session_id — see README §2"), with the evidence underneath.
 */
export class HintError extends Error {
  override name = 'HintError';
  constructor(
    readonly hint: string,
    readonly detail?: string,
  ) {
    super(detail ? `${hint}\n    ↳ ${detail}` : hint);
  }
}

/** Throws a `HintError` carrying `hint` unless `condition` holds. */
export function assertWithHint(condition: unknown, hint: string, detail?: string): asserts condition {
  if (!condition) throw new HintError(hint, detail);
}

/** Runs `check` (which may use `expect`); if it throws, rethrows with `hint` first and the original message under it. */
export async function withHint<T>(hint: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof HintError) throw error;
    throw new HintError(hint, error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n      ') : String(error));
  }
}
