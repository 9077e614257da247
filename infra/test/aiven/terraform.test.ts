import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { workshopNames } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { readStackVersions } from '../../src/native/versions.js';
import { requiredTerraformOutputs } from '../../src/aiven/env-from-terraform.js';
import { terraformNamesFile, terraformNamesJson, terraformNameVariables } from '../../src/aiven/terraform-names.js';

/**
 * infra/terraform (the Aiven profile) cannot be applied here — it needs an Aiven account — so this checks
 * what can be checked offline: the names come from shared/src/names.ts and nowhere else, the provider is
 * pinned, the outputs are those npm run aiven:env reads, and (with @cdktf/hcl2json) the parsed structure.
 */

const terraformDir = join(repoRoot, 'infra/terraform');
const tfFiles = readdirSync(terraformDir).filter((file) => file.endsWith('.tf'));
const tfText = (file: string) => readFileSync(join(terraformDir, file), 'utf8');
const allTf = () => tfFiles.map(tfText).join('\n');

describe('infra/terraform (Aiven profile)', () => {
  it('takes the workshop names from a file generated from shared/src/names.ts (npm run aiven:names)', () => {
    expect(readFileSync(join(repoRoot, terraformNamesFile), 'utf8'), `${terraformNamesFile} is out of date: npm run aiven:names`).toBe(
      terraformNamesJson(readStackVersions()),
    );
    expect(terraformNameVariables(readStackVersions()).workshop_names.avro_topic).toBe(workshopNames.avroTopic);
  });

  it('spells no workshop name itself, and gives the generated variables no default', () => {
    const names = [
      workshopNames.jsonTopic,
      workshopNames.avroTopic,
      workshopNames.deadLetterTopic,
      workshopNames.database,
      workshopNames.table,
    ];
    for (const file of tfFiles) {
      for (const name of names) expect(tfText(file), `${file} spells "${name}": use var.workshop_names`).not.toContain(`"${name}"`);
      expect(tfText(file), `${file}: no Avro schema in Terraform (step 04 registers it)`).not.toMatch(/aiven_kafka_schema"/);
    }
    for (const variable of ['workshop_names', 'postgres_major']) {
      const block = new RegExp(`variable "${variable}" \\{([\\s\\S]*?)\\n\\}`).exec(allTf())?.[1];
      expect(block, `variable "${variable}" is declared`).toBeDefined();
      expect(block, `variable "${variable}" has no default (the generated file is its only value)`).not.toMatch(/^\s*default\s*=/m);
    }
  });

  it('pins the Aiven provider to one version', () => {
    expect(tfText('versions.tf')).toMatch(/source\s*=\s*"aiven\/aiven"\s*\n\s*version\s*=\s*"= \d+\.\d+\.\d+"/);
  });

  it('declares every output npm run aiven:env reads', () => {
    const declared = [...allTf().matchAll(/^output "([\w-]+)"/gm)].map((m) => m[1]);
    expect(declared.sort()).toEqual([...requiredTerraformOutputs].sort());
  });

  const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  it.skipIf(terraform.error !== undefined)('is formatted as terraform fmt writes it (runs where terraform is installed)', () => {
    const result = spawnSync('terraform', ['fmt', '-check', '-diff', '-recursive', terraformDir], { encoding: 'utf8' });
    expect(result.stdout, 'terraform fmt -recursive infra/terraform').toBe('');
    expect(result.status).toBe(0);
  });

  // Needs @cdktf/hcl2json (a WASM HCL parser): fails with "install @cdktf/hcl2json" until it is installed.
  it('parses, and creates Kafka with Karapace, Connect, PostgreSQL, ClickHouse, Grafana and the workshop topics from the names', async () => {
    const parse = await loadHclParser();
    const merged: Record<string, Record<string, unknown[]>> = {};
    for (const file of tfFiles) {
      const json = (await parse(file, tfText(file))) as Record<string, unknown>;
      for (const [kind, entries] of Object.entries(json)) {
        merged[kind] ??= {};
        if (Array.isArray(entries)) merged[kind][kind] = [...(merged[kind][kind] ?? []), ...entries];
        else Object.assign(merged[kind], entries as Record<string, unknown[]>);
      }
    }
    const resources = (merged.resource ?? {}) as unknown as Record<string, Record<string, Record<string, unknown>[]>>;
    for (const type of [
      'aiven_kafka',
      'aiven_kafka_connect',
      'aiven_kafka_topic',
      'aiven_pg',
      'aiven_pg_database',
      'aiven_clickhouse',
      'aiven_clickhouse_database',
      'aiven_grafana',
      'aiven_service_integration',
      'grafana_data_source',
      'grafana_dashboard',
    ]) {
      expect(Object.keys(resources), `resource ${type}`).toContain(type);
    }
    const kafka = Object.values(resources.aiven_kafka ?? {})[0]?.[0] as { kafka_user_config?: { schema_registry?: boolean }[] };
    expect(kafka.kafka_user_config?.[0]?.schema_registry, 'Karapace on the Kafka service').toBe(true);
    const integrations = Object.values(resources.aiven_service_integration ?? {}).map(
      (r) => (r[0] as { integration_type?: string }).integration_type,
    );
    expect(integrations).toContain('kafka_connect');
    const topic = Object.values(resources.aiven_kafka_topic ?? {})[0]?.[0] as { topic_name?: string; partitions?: string };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's own interpolation, as hcl2json returns it
    expect(topic.topic_name).toBe('${each.value}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's own interpolation, as hcl2json returns it
    expect(topic.partitions).toBe('${var.workshop_names.topic_partitions}');
    expect(JSON.stringify(merged.locals)).toContain('var.workshop_names.avro_topic');
    const pgDatabase = Object.values(resources.aiven_pg_database ?? {})[0]?.[0] as { database_name?: string };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's own interpolation, as hcl2json returns it
    expect(pgDatabase.database_name).toBe('${var.workshop_names.database}');
    const providers = JSON.stringify(merged.terraform);
    expect(providers).toMatch(/"version":"= \d+\.\d+\.\d+"/);
    expect(
      [...providers.matchAll(/"version":"([^"]*)"/g)].map((m) => m[1]).every((v) => /^= \d+\.\d+\.\d+$/.test(v ?? '')),
      'every provider pinned',
    ).toBe(true);
  });

  it("gives Aiven's Grafana the local stacks' datasources (same uids, from grafana/provisioning), read-only users, and the dashboards", async () => {
    const parse = await loadHclParser();
    const grafana = (await parse('grafana.tf', tfText('grafana.tf'))) as {
      locals: Record<string, string>[];
      resource: Record<string, Record<string, Record<string, unknown>[]>>;
    };
    const locals = Object.assign({}, ...grafana.locals) as Record<string, string>;
    // The uids, names and types come from the file the local Grafana is provisioned with, which exists.
    expect(locals.provisioned_datasources).toContain('../../grafana/provisioning/datasources/workshop.yaml');
    expect(existsSync(join(repoRoot, 'grafana/provisioning/datasources/workshop.yaml'))).toBe(true);
    const provisioned = load(readFileSync(join(repoRoot, 'grafana/provisioning/datasources/workshop.yaml'), 'utf8')) as {
      datasources: { type: string; uid: string }[];
    };
    const types = provisioned.datasources.map((d) => d.type).sort();
    expect(types).toEqual(['grafana-clickhouse-datasource', 'grafana-postgresql-datasource']);
    const dashboards = readFileSync(join(repoRoot, 'grafana/dashboards/button-presses.json'), 'utf8');
    for (const { uid } of provisioned.datasources) expect(dashboards, `the dashboards ask for ${uid}`).toContain(`"uid": "${uid}"`);

    const datasources = grafana.resource.grafana_data_source ?? {};
    const postgres = datasources.postgres?.[0] ?? {};
    const clickhouse = datasources.clickhouse?.[0] ?? {};
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Terraform's own interpolation, as hcl2json returns it
    expect(postgres.uid).toBe('${local.provisioned_postgres.uid}');
    expect(clickhouse.uid).toBe('${local.provisioned_clickhouse.uid}');
    expect(postgres.username, 'PostgreSQL through the read-only role, not avnadmin').toBe('${aiven_pg_user.dashboard_reader.username}');
    expect(String(clickhouse.json_data_encoded)).toContain('aiven_clickhouse_user.dashboard_reader.username');
    expect(grafana.resource.aiven_pg_user?.dashboard_reader?.[0]?.username).toBe('${var.workshop_names.dashboard_read_role}');
    expect(grafana.resource.aiven_clickhouse_user?.dashboard_reader?.[0]?.username).toBe('${var.workshop_names.clickhouse_dashboard_user}');
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: end of Terraform's interpolation
    const grants = JSON.stringify(grafana.resource.postgresql_grant) + JSON.stringify(grafana.resource.postgresql_default_privileges);
    expect(grants).toContain('"privileges":["SELECT"]');
    expect(grants, 'nothing but SELECT and USAGE').not.toMatch(/INSERT|UPDATE|DELETE|CREATE|ALL/);
    expect(JSON.stringify(grafana.resource.aiven_clickhouse_grant)).toContain('"privilege":"SELECT"');
    expect(readdirSync(join(repoRoot, 'grafana/dashboards')).filter((f) => f.endsWith('.json'))).not.toEqual([]);
    expect(JSON.stringify(grafana.resource.grafana_dashboard)).toContain('fileset(local.dashboards_dir');
    // Aiven's own datasource integration would add datasources as avnadmin under other uids.
    expect(allTf()).not.toMatch(/integration_type\s*=\s*"datasource"/);
  });
});

type HclParse = (fileName: string, content: string) => Promise<unknown>;

async function loadHclParser(): Promise<HclParse> {
  // A variable specifier: the type-check must not depend on the package being installed yet.
  const specifier = '@cdktf/hcl2json';
  try {
    const module = (await import(specifier)) as { parse: HclParse };
    return module.parse;
  } catch {
    throw new Error('install @cdktf/hcl2json to parse the Terraform files: npm install --save-dev -w infra @cdktf/hcl2json@0.21.0');
  }
}
