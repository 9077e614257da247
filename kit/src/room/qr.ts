import QRCode from 'qrcode';

/**
 * The phones' button page as a QR code in the presenter's terminal. A library, not our own encoder: a QR code is
 * Reed–Solomon error correction, masking and version tables — easy to get subtly wrong, and a code that half the phones
 * cannot scan fails in front of the room. `qrcode` is the maintained, widely used one, and renders for terminals.
 * `small`: two rows per character, so it fits a projected terminal.
 */
export function terminalQrCode(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
