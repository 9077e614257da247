/**
 * The one error type for what a person can act on: what went wrong (`message`), what to do about it (`hint`) and where
 * to look (`logPath`). Every command prints it as one line plus those two (shared/src/terminal/output.ts); any other
 * error is a bug and prints its stack. Modelled on kafkajs' single error hierarchy: code that must tell kinds apart
 * reads `code`, never the class name.
 */
export interface KitErrorDetails {
  /** The next thing to do, e.g. "npm run stack:up". */
  hint?: string;
  /** The log file (or command) that says more, e.g. ".stack/logs/connect.log". */
  logPath?: string;
  /** A stable, machine-readable kind for callers that branch on it (e.g. 'config', 'stack', 'connect-rest'). */
  code?: string;
  cause?: unknown;
}

export class KitError extends Error {
  override name = 'KitError';
  readonly hint: string | undefined;
  readonly logPath: string | undefined;
  readonly code: string | undefined;

  constructor(message: string, details: KitErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.hint = details.hint;
    this.logPath = details.logPath;
    this.code = details.code;
  }
}

export function isKitError(error: unknown): error is KitError {
  return error instanceof KitError;
}
