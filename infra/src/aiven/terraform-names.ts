import { workshopNames } from '@workshop/shared';
import type { StackVersions } from '../native/versions.js';

/**
 * infra/terraform/workshop-names.auto.tfvars.json, generated from shared/src/names.ts and
 * infra/stack-versions.json: Terraform auto-loads it, and its variables have no defaults, so the topic and
 * database names exist once (no schema is created by Terraform at all: step 04 registers it).
 * `npm run aiven:names` writes it; a test checks the committed file equals this.
 */
export const terraformNamesFile = 'infra/terraform/workshop-names.auto.tfvars.json';

export function terraformNameVariables(versions: Pick<StackVersions, 'postgresMajor'>) {
  return {
    workshop_names: {
      json_topic: workshopNames.jsonTopic,
      avro_topic: workshopNames.avroTopic,
      dead_letter_topic: workshopNames.deadLetterTopic,
      database: workshopNames.database,
      topic_partitions: workshopNames.topicPartitions,
      dashboard_read_role: workshopNames.dashboardReadRole,
      clickhouse_dashboard_user: workshopNames.clickhouseDashboardUser,
    },
    postgres_major: versions.postgresMajor,
  };
}

export function terraformNamesJson(versions: Pick<StackVersions, 'postgresMajor'>): string {
  return `${JSON.stringify(terraformNameVariables(versions), null, 2)}\n`;
}
