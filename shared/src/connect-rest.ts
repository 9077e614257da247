import { debeziumJdbcSinkClass, toAivenJdbcSinkConfig } from './aiven-jdbc-sink.js';
import type { WorkshopConfig } from './config.js';
import { KitError } from './errors.js';
import { connectorConfigInSchema, connectorConfigOutOfSchema } from './participant-clients.js';

/**
 * A small client for Kafka Connect's REST API. Hand-written on purpose: the npm packages for it are
 * unmaintained, and the API is a handful of JSON endpoints that a participant should see plainly
 * (https://kafka.apache.org/documentation/#connect_rest).
 */

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
}

export interface ConnectorPlugin {
  class: string;
  type: string;
  version?: string;
}

export interface ConnectRestClient {
  readonly url: string;
  listConnectors(): Promise<string[]>;
  /** Creates the connector or replaces its config (PUT /connectors/{name}/config is idempotent). */
  putConnectorConfig(name: string, config: Record<string, string>): Promise<void>;
  getConnectorConfig(name: string): Promise<Record<string, string> | undefined>;
  getConnectorStatus(name: string): Promise<ConnectorStatus | undefined>;
  deleteConnector(name: string): Promise<boolean>;
  listPlugins(options?: { connectorsOnly?: boolean }): Promise<ConnectorPlugin[]>;
}

export function createConnectRestClient(config: WorkshopConfig, fetchImpl: typeof fetch = fetch): ConnectRestClient {
  const { url, auth, jdbcSink } = config.connect;
  const { schema } = config.postgres;
  /** Per connector: the config a step gave this client, and the Aiven translation of it that went to Connect. */
  const translated = new Map<string, { given: Record<string, string>; sent: Record<string, string> }>();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;

  /**
   * One request; while the worker is rebalancing — connectors created or deleted a moment ago, by us or by anyone on a
   * shared stack (a room: many participants deploy at once) — Connect answers 409 or 500 for a moment: ask again.
   */
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const deadline = Date.now() + rebalanceWaitMs;
    for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
      const answer = await callOnce(method, path, body);
      if (!isRebalancing(answer) || Date.now() + wait > deadline) return checked(method, path, answer);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  function checked(method: string, path: string, { status, json, text }: Answer): { status: number; json: unknown } {
    if (status >= 400 && status !== 404) {
      const detail = typeof json === 'object' && json && 'message' in json ? String(json.message) : text;
      throw new KitError(`Kafka Connect ${method} ${path} → ${status}: ${detail}`, {
        code: 'connect-rest',
        // A 4xx is about what was sent (Connect's message names it); a 5xx is the worker's own trouble.
        hint: status < 500 ? undefined : 'the Connect worker failed: its log says why (npm run stack:status names it)',
      });
    }
    return { status, json };
  }

  async function callOnce(method: string, path: string, body?: unknown): Promise<Answer> {
    let response: Response;
    try {
      response = await fetchImpl(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new KitError(`Kafka Connect is not answering on ${url} — is the stack up? (npm run stack:status)`, {
        code: 'connect-rest',
        // Profile-neutral: the worker's log is a file on the native stack, `docker compose logs` on docker.
        hint: 'npm run stack:status shows what is down and where its log is; npm run stack:up starts it',
        cause,
      });
    }
    const text = await response.text();
    return { status: response.status, json: text ? safeJson(text) : undefined, text };
  }

  return {
    url,
    async listConnectors() {
      return (await call('GET', '/connectors')).json as string[];
    },
    async putConnectorConfig(name, connectorConfig) {
      // A participant's sink writes to her schema's table (participant-clients.ts says why the URL is not enough).
      const inSchema = schema ? connectorConfigInSchema(connectorConfig, schema) : connectorConfig;
      // The stack's Connect has Aiven's JDBC sink, not Debezium's (the config says so): the step's config is
      // translated here, so the step's own code is the same on every stack.
      const aiven = jdbcSink === 'aiven' && connectorConfig['connector.class'] === debeziumJdbcSinkClass;
      const sent = aiven ? toAivenJdbcSinkConfig(inSchema, config) : inSchema;
      await call('PUT', `/connectors/${encodeURIComponent(name)}/config`, sent);
      if (aiven) translated.set(name, { given: connectorConfig, sent });
      else translated.delete(name);
    },
    async getConnectorConfig(name) {
      const { status, json } = await call('GET', `/connectors/${encodeURIComponent(name)}/config`);
      if (status === 404) return undefined;
      const running = json as Record<string, string>;
      // What this client translated, as long as Connect still runs exactly that: read back as the step wrote it.
      const mine = translated.get(name);
      if (mine && sameConfig(running, mine.sent)) return { ...mine.given, ...(running.name === undefined ? {} : { name: running.name }) };
      return schema ? connectorConfigOutOfSchema(running, schema) : running;
    },
    async getConnectorStatus(name) {
      const { status, json } = await call('GET', `/connectors/${encodeURIComponent(name)}/status`);
      return status === 404 ? undefined : (json as ConnectorStatus);
    },
    async deleteConnector(name) {
      const { status } = await call('DELETE', `/connectors/${encodeURIComponent(name)}`);
      return status !== 404;
    },
    async listPlugins(options = {}) {
      const query = options.connectorsOnly === false ? '?connectorsOnly=false' : '';
      return (await call('GET', `/connector-plugins${query}`)).json as ConnectorPlugin[];
    },
  };
}

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

/** How long a request waits out a rebalance before Connect's answer is reported as it is. */
const rebalanceWaitMs = 30_000;

/**
 * Connect's answers while its worker group rebalances: 409 "…stale configuration (typically caused by a concurrent
 * config change)" or "…conflicting operation (e.g. worker rebalance)", 500 "Request cannot be completed because a
 * rebalance is expected". Nothing about the request is wrong: the same request a moment later works.
 */
export function isRebalancing({ status, json }: { status: number; json: unknown }): boolean {
  if (status !== 409 && status !== 500 && status !== 503) return false;
  const message = typeof json === 'object' && json && 'message' in json ? String(json.message) : '';
  return /rebalanc|stale configuration|conflicting operation/i.test(message);
}

/** Equal but for `name`, which Connect adds to every config it returns. */
function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((key) => key !== 'name'));
  return [...keys].every((key) => a[key] === b[key]);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
