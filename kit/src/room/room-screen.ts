/**
 * What the presenter's terminal shows for the room (npm run room): the line participants type, the QR code the phones
 * scan, and where the board is. Plain lines: the command prints them.
 */
export interface RoomScreen {
  address: string;
  code: string;
  /** Omitted when the join endpoint listens on its default port. */
  joinPort?: number;
  buttonPageUrl: string;
  boardUrl: string;
  qrCode: string;
}

export function joinLine(address: string, code: string, joinPort?: number): string {
  return `npm run join -- ${address} --name <your name> --code ${code}${joinPort ? ` --port ${joinPort}` : ''}`;
}

export function roomScreenLines(screen: RoomScreen): string[] {
  return [
    '',
    `  Room code   ${screen.code}`,
    '  Participants (in their checkout of the kit, after npm ci):',
    `    ${joinLine(screen.address, screen.code, screen.joinPort)}`,
    '',
    `  Phones: scan to press the button — ${screen.buttonPageUrl}`,
    ...screen.qrCode
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`),
    '',
    `  Board       ${screen.boardUrl}   (read-only; who is stuck)`,
    '  Ctrl-C closes the room and stops the stack it started.',
    '',
  ];
}
