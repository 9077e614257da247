import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { KitError } from '@workshop/shared';
import { roomCodeHeader, roomJoinPort, type JoinAnswer } from './join-server.js';

/**
 * `npm run join`'s side of the join endpoint (join-server.ts). The participant has no CA of the room yet — it is part of
 * the answer — so the first contact cannot verify the room's certificate: the answer is checked afterwards instead (the
 * certificate the endpoint showed must be signed by the CA it handed over), and the code travels inside TLS. What that
 * does not stop is someone on the network who answers in the room's place with a CA of his own (README: "Running a
 * room" says so); the code alone is what he would learn.
 */

const answerSchema = z.object({
  variables: z.record(z.string(), z.string()),
  files: z.object({ caPem: z.string().min(1), clientCert: z.string().min(1), clientKey: z.string().min(1) }),
});

export interface JoinRequest {
  address: string;
  port?: number;
  code: string;
  name: string;
  timeoutMs?: number;
}

function joinError(message: string, hint: string): KitError {
  return new KitError(message, { code: 'usage', hint });
}

export function fetchRoomAnswer(join: JoinRequest): Promise<JoinAnswer> {
  const port = join.port ?? roomJoinPort;
  const where = `https://${join.address.includes(':') ? `[${join.address}]` : join.address}:${port}/join`;
  return new Promise((resolve, reject) => {
    const req = request(
      where,
      {
        // Trust comes after: the answer's CA must have signed the certificate shown (checked below).
        rejectUnauthorized: false,
        headers: { [roomCodeHeader]: join.code, 'x-participant': join.name, accept: 'application/json' },
        timeout: join.timeoutMs ?? 10_000,
      },
      (res) => {
        const shown = (res.socket as TLSSocket).getPeerX509Certificate?.();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode === 403) {
            reject(joinError('the room refused the code', 'type the room code shown on the presenter’s screen (--code K7QM-3XHD)'));
            return;
          }
          if (res.statusCode !== 200) {
            reject(joinError(`the room answered ${res.statusCode}: ${body.slice(0, 200)}`, 'ask the presenter'));
            return;
          }
          try {
            const answer = answerSchema.parse(JSON.parse(body));
            if (!shown || !signedBy(shown, answer.files.caPem)) {
              reject(
                joinError(
                  `the room at ${join.address} showed a certificate its own CA did not sign`,
                  'someone else may be answering on that address: check it with the presenter',
                ),
              );
              return;
            }
            resolve(answer);
          } catch (error) {
            reject(
              joinError(
                `the room's answer is not what npm run join expects (${(error as Error).message})`,
                'are the presenter and you on the same kit version?',
              ),
            );
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${join.timeoutMs ?? 10_000} ms`)));
    req.on('error', (error) =>
      reject(
        joinError(
          `cannot reach the room at ${where}: ${error.message}`,
          'check the address on the presenter’s screen, and that you are on the same network (Wi-Fi) as the presenter',
        ),
      ),
    );
    req.end();
  });
}

function signedBy(certificate: X509Certificate, caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
  } catch {
    return false;
  }
}
