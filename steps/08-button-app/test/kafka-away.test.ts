import { afterAll, describe, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { KafkaJSConnectionError, type Producer, type RecordMetadata } from 'kafkajs';
import type { ButtonPressEvent } from '@workshop/shared';
import { assertWithHint } from '@workshop/shared/testing';
import { buildApp } from '../src/app.js';
import { openGeoLookup } from '../src/geo.js';
import { avroEventSink } from '../src/produce.js';
import {
  LogCapture,
  addresses,
  cleanUp,
  cleanUpLater,
  cookieSecret,
  describeEvents,
  expectStatus,
  htmx,
  kafkaSide,
  memo,
  visitCookie,
} from './harness.js';

/**
 * Kafka away (a broker restarting): the app answers 503 at once — not a hang, not a 500 — sends nothing it
 * cannot store, and carries on by itself when Kafka is back; a visit's counts have no gap and its ExitPage is
 * not lost. A stand-in for the kafkajs producer plays the broker: up, refusing, or silent.
 */
const geo = memo(() => openGeoLookup());
afterAll(cleanUp);

type BrokerState = 'up' | 'refusing' | 'silent';

/**
 * The producer your produceEvent() gets: each send is acknowledged, refused (kafkajs's connection error), or —
 * silent — held until the broker is back, then acknowledged (kafkajs's own retry getting through).
 */
function standInBroker() {
  const stored: Buffer[] = [];
  const held: (() => void)[] = [];
  const broker = {
    state: 'up' as BrokerState,
    stored,
    back() {
      broker.state = 'up';
      for (const acknowledge of held.splice(0)) acknowledge();
    },
  };
  const send = async (record: { messages?: { value: Buffer }[]; topicMessages?: { messages: { value: Buffer }[] }[] }) => {
    if (broker.state === 'refusing') throw new KafkaJSConnectionError("Connection error: connect ECONNREFUSED (the test's broker is away)");
    if (broker.state === 'silent') await new Promise<void>((resolve) => held.push(resolve));
    for (const message of record.messages ?? record.topicMessages?.flatMap((t) => t.messages) ?? []) stored.push(message.value);
    return [] as RecordMetadata[];
  };
  return { broker, producer: { send, sendBatch: send } as unknown as Producer };
}

async function appWithStandInBroker(): Promise<{
  app: FastifyInstance;
  broker: ReturnType<typeof standInBroker>['broker'];
  stored: () => Promise<ButtonPressEvent[]>;
  logs: LogCapture;
}> {
  const { registry, schemaId } = await kafkaSide();
  const { broker, producer } = standInBroker();
  const logs = new LogCapture();
  const app = buildApp({
    geo: await geo(),
    cookieSecret,
    logger: { stream: logs.stream },
    events: avroEventSink(producer, registry, schemaId),
    kafkaWaitMs: 300,
  });
  cleanUpLater(() => app.close());
  const stored = async () =>
    Promise.all(
      broker.stored.map(async (value) => {
        const decoded = (await registry.decode(value)) as ButtonPressEvent & { timestamp: unknown };
        return { ...decoded, timestamp: String(decoded.timestamp) };
      }),
    );
  return { app, broker, stored, logs };
}

const send = (app: FastifyInstance, request: InjectOptions) => app.inject({ ...request, remoteAddress: addresses.finland });

/** A 503 that says to try again, quickly: Kafka is away, the press was not stored. */
function expectTryAgain(response: LightMyRequestResponse, tookMs: number, logs: LogCapture, what: string): void {
  if (response.statusCode === 500) expectStatus(response, [503], logs, what);
  assertWithHint(
    response.statusCode === 503 && Number(response.headers['retry-after']) > 0 && tookMs < 3000,
    `${what} while Kafka is away must be answered 503 with Retry-After within the app's wait (src/button-routes.ts) — and produceEvent() must let producer.send()'s error through (README §2)`,
    `status ${response.statusCode} after ${tookMs} ms, retry-after ${response.headers['retry-after']}: ${response.body.slice(0, 160)}`,
  );
}

async function timed(request: Promise<LightMyRequestResponse>): Promise<[LightMyRequestResponse, number]> {
  const started = Date.now();
  const response = await request;
  return [response, Date.now() - started];
}

describe('Kafka away: a clear 503, no gap, nothing lost — and back by itself', () => {
  it('while the broker refuses or is silent, a press is answered 503 at once; when it is back, presses are stored again', async () => {
    const { app, broker, stored, logs } = await appWithStandInBroker();
    const entered = await send(app, { method: 'GET', url: '/' });
    expectStatus(entered, [200], logs, 'Opening the page (GET /)');
    const cookie = visitCookie(entered);
    assertWithHint(cookie, 'GET / must set the signed visit cookie (app code you were given: src/session-cookie.ts)');
    const press = () => send(app, { method: 'POST', url: '/press', headers: { ...htmx, cookie: cookie.header }, payload: '' });
    for (const state of ['refusing', 'silent'] as const) {
      broker.state = state;
      const [response, tookMs] = await timed(press());
      expectTryAgain(response, tookMs, logs, `A press while the broker is ${state}`);
      broker.back();
      expectStatus(await press(), [200], logs, `A press once the broker is back (it was ${state})`);
    }
    const ours = (await stored()).filter((event) => event.session_id === cookie.sessionId);
    // The refused press is not stored, and its count is the next one's; the press sent to a silent broker is
    // stored once it is back (answered 503 all the same: the app could not wait that long).
    assertWithHint(
      describeEvents(ours) === 'EnterPage#0, PressButton#1, PressButton#2, PressButton#3',
      'Only what Kafka acknowledged is stored, in order, with no gap: a refused press uses up no count (button-routes.ts)',
      describeEvents(ours),
    );
  });

  it('a press Kafka refused uses up no count: the next stored press takes it (no gap in the visit)', async () => {
    const { app, broker, stored, logs } = await appWithStandInBroker();
    const entered = await send(app, { method: 'GET', url: '/' });
    expectStatus(entered, [200], logs, 'Opening the page (GET /)');
    const cookie = visitCookie(entered);
    assertWithHint(cookie, 'GET / must set the signed visit cookie (app code you were given: src/session-cookie.ts)');
    const press = () => send(app, { method: 'POST', url: '/press', headers: { ...htmx, cookie: cookie.header }, payload: '' });
    expectStatus(await press(), [200], logs, 'A press');
    broker.state = 'refusing';
    const [refused, tookMs] = await timed(press());
    expectTryAgain(refused, tookMs, logs, 'A press Kafka refuses');
    broker.back();
    expectStatus(await press(), [200], logs, 'A press after the refused one');
    const counts = (await stored()).filter((event) => event.session_id === cookie.sessionId).map((event) => event.count);
    assertWithHint(
      counts.join(' ') === '0 1 2',
      'A refused event must not use up its count: the visit moves on only once Kafka has acknowledged (button-routes.ts gives toButtonPressEvent() a copy of the visit)',
      `counts stored: ${counts.join(' ')}`,
    );
  });

  it('an ExitPage Kafka refused is not lost: the visit stays open, and the next beacon stores it', async () => {
    const { app, broker, stored, logs } = await appWithStandInBroker();
    const entered = await send(app, { method: 'GET', url: '/' });
    expectStatus(entered, [200], logs, 'Opening the page (GET /)');
    const cookie = visitCookie(entered);
    assertWithHint(cookie, 'GET / must set the signed visit cookie (app code you were given: src/session-cookie.ts)');
    const exit = () => send(app, { method: 'POST', url: '/exit', headers: { cookie: cookie.header } });
    broker.state = 'refusing';
    const [refused, tookMs] = await timed(exit());
    expectTryAgain(refused, tookMs, logs, 'An exit beacon Kafka refuses');
    broker.back();
    const retried = await exit();
    expectStatus(retried, [204], logs, 'The exit beacon again, Kafka back');
    const ours = (await stored()).filter((event) => event.session_id === cookie.sessionId);
    assertWithHint(
      describeEvents(ours) === 'EnterPage#0, ExitPage#1',
      'A visit ends only once its ExitPage is stored: a refused ExitPage leaves the visit open, so the next beacon can still send it (button-routes.ts)',
      describeEvents(ours),
    );
  });
});
