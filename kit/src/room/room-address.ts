import { networkInterfaces } from 'node:os';
import { isIPv4 } from 'node:net';
import { KitError } from '@workshop/shared';

/**
 * The address the room reaches the presenter's laptop by: `--address`, else the machine's first non-loopback IPv4 (on
 * a laptop, the Wi-Fi's). Checked to be one of this machine's own: the stack's services bind to it.
 */
export type Interfaces = ReturnType<typeof networkInterfaces>;

export function machineIpv4s(interfaces: Interfaces = networkInterfaces()): string[] {
  return Object.values(interfaces)
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}

export function roomAddress(wanted: string | undefined, interfaces: Interfaces = networkInterfaces()): string {
  const own = machineIpv4s(interfaces);
  if (wanted === undefined) {
    const first = own[0];
    if (!first) {
      throw new KitError('this machine has no network address besides 127.0.0.1: the room cannot reach it', {
        code: 'usage',
        hint: 'connect to the venue’s network (Wi-Fi), then npm run room again',
      });
    }
    return first;
  }
  if (!isIPv4(wanted) || !own.includes(wanted)) {
    throw new KitError(`--address ${wanted} is not one of this machine's IPv4 addresses (${own.join(', ') || 'none'})`, {
      code: 'usage',
      hint: 'give one of them, or leave --address out for the first',
    });
  }
  return wanted;
}
