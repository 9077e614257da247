import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';

/**
 * Grafana cannot run here, so the dashboard is checked against the foundation SDK's own types, turned into
 * JSON schemas by ts-json-schema-generator (from grafana-json-types.ts) and applied with ajv. Generating
 * takes a few seconds; the schemas are cached in the system's temp dir under a hash of what they are made
 * from (that file, the SDK's and the generator's versions), so a changed input makes a new cache.
 */

const typesFile = resolve(import.meta.dirname, 'grafana-json-types.ts');
const repoRoot = resolve(import.meta.dirname, '../../../..');

/** Root types of grafana-json-types.ts, each its own schema (the SDK reuses names across panel types). */
const panelParts = {
  timeseries: 'TimeseriesPanelParts',
  geomap: 'GeomapPanelParts',
  stat: 'StatPanelParts',
  table: 'TablePanelParts',
  barchart: 'BarchartPanelParts',
  bargauge: 'BargaugePanelParts',
} as const;
const rootTypes = ['GrafanaDashboard', 'PostgresTarget', 'ClickHouseTarget', ...Object.values(panelParts)];

type JsonSchema = Record<string, unknown> & { definitions?: Record<string, unknown> };

/** The installed version (the SDK's exports map hides its package.json from require.resolve). */
function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function generateSchemas(): Record<string, JsonSchema> {
  const generator = createGenerator({
    path: typesFile,
    tsconfig: join(repoRoot, 'tsconfig.json'),
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    additionalProperties: false,
  });
  return Object.fromEntries(rootTypes.map((type) => [type, generator.createSchema(type) as JsonSchema]));
}

function loadSchemas(): Record<string, JsonSchema> {
  const key = createHash('sha256')
    .update(readFileSync(typesFile))
    .update(packageVersion('@grafana/grafana-foundation-sdk'))
    .update(packageVersion('ts-json-schema-generator'))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'workshop-grafana-schemas');
  const file = join(dir, `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, JsonSchema>;
  const schemas = generateSchemas();
  mkdirSync(dir, { recursive: true });
  // Write then rename: a test run reading the cache never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(schemas));
  renameSync(partial, file);
  return schemas;
}

export interface SchemaProblem {
  where: string;
  problems: string[];
}

export interface DashboardValidator {
  /** Problems with the dashboard itself (panels, grid, time…), its queries aside. */
  dashboard(json: unknown): string[];
  /** Problems with one query, against the shape of its datasource's query. */
  target(json: unknown): string[];
  /** Problems with a panel's `options` and `fieldConfig.defaults.custom`, for the panel types the SDK types. */
  panelParts(panel: { type: string; options?: unknown; fieldConfig?: { defaults?: { custom?: unknown } } }): string[];
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const extra =
      error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
}

export function createDashboardValidator(): DashboardValidator {
  const schemas = loadSchemas();
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compile = (type: string): ValidateFunction => ajv.compile(schemas[type]!);

  // The SDK's Dataquery is an empty marker interface; queries are checked one by one, by datasource type.
  const dashboardSchema = structuredClone(schemas.GrafanaDashboard!);
  dashboardSchema.definitions = { ...dashboardSchema.definitions, Dataquery: { type: 'object' } };
  const dashboard = ajv.compile(dashboardSchema);
  // Each panel on its own, against Panel or RowPanel: the dashboard's anyOf would report both branches' errors.
  const panelSchema = (definition: string) =>
    ajv.compile({ $ref: `#/definitions/${definition}`, definitions: dashboardSchema.definitions });
  const panel = panelSchema('Panel');
  const rowPanel = panelSchema('RowPanel');
  const targets: Record<string, ValidateFunction> = {
    'grafana-postgresql-datasource': compile('PostgresTarget'),
    'grafana-clickhouse-datasource': compile('ClickHouseTarget'),
  };
  const parts = Object.fromEntries(Object.entries(panelParts).map(([panelType, type]) => [panelType, compile(type)]));

  return {
    dashboard(json) {
      const { panels = [], ...rest } = json as { panels?: { type?: string }[] };
      const problems = dashboard({ ...rest, panels: [] }) ? [] : describe(dashboard.errors);
      panels.forEach((item, i) => {
        const validate = item.type === 'row' ? rowPanel : panel;
        if (!validate(item)) problems.push(...describe(validate.errors).map((problem) => `/panels/${i}${problem.replace(/^\/ /, ' ')}`));
      });
      return problems;
    },
    target(json) {
      const type = (json as { datasource?: { type?: string } } | undefined)?.datasource?.type;
      const validate = type ? targets[type] : undefined;
      if (!validate) return [`datasource.type is ${JSON.stringify(type)}: not one of ${Object.keys(targets).join(', ')}`];
      return validate(json) ? [] : describe(validate.errors);
    },
    panelParts(panel) {
      const validate = parts[panel.type];
      if (!validate) return [];
      const custom = panel.fieldConfig?.defaults?.custom;
      const json = custom === undefined ? { options: panel.options } : { options: panel.options, custom };
      return validate(json) ? [] : describe(validate.errors);
    },
  };
}
