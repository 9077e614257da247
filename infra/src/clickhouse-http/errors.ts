/**
 * An HTTP status (and ClickHouse exception code) for the response being written: protocol plumbing inside
 * this server, never seen by a command. The message is what a ClickHouse server would send, so a client
 * shows a participant the same words on the native stack as on the docker and cloud ones.
 */
export class ClickHouseHttpError extends Error {
  readonly exceptionCode?: string;

  constructor(
    readonly status: number,
    code: number | undefined,
    message: string,
  ) {
    super(message);
    this.exceptionCode = code === undefined ? undefined : String(code);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
