import type { WorkshopConfig } from '@workshop/shared';
import type { ResetOptions, ResetSummary } from '../reset/reset.js';

/**
 * One stack, whichever runs it: the native services, docker-compose.yml, or Aiven. Every command — stack:*, npm start,
 * npm test, verify, watch, workshop — asks the chosen profile (profiles/choose.ts) and never branches on its name;
 * what differs between stacks lives in the implementations beside this file (secure: the native services with TLS and
 * credentials everywhere, infra/src/secure).
 */
export const stackProfileNames = ['native', 'docker', 'aiven', 'secure', 'room'] as const;
export type StackProfileName = (typeof stackProfileNames)[number];

export type Reporter = (line: string) => void;

/** One service as `stack:status` shows it. */
export interface ServiceState {
  service: string;
  port: number;
  /** Where it runs: a pid, a container's state, or the cloud. */
  runs: string;
  working: boolean;
  /** Why it does not work (probe's answer). */
  problem?: string;
  /** Where its log is: a file, or the command that shows it. */
  log: string;
}

export interface StackUpOutcome {
  /** Services this call started (a later `down({ only })` stops just these). */
  started: string[];
  seconds: number;
  warnings: string[];
  /** The one-line summary a command ends with. */
  summary: string;
}

export interface StackDownOutcome {
  stopped: string[];
  summary: string;
}

export interface StackCapabilities {
  /** The kit starts and stops the services itself (native, docker) — or they run elsewhere (aiven). */
  startsServices: boolean;
  /** Grafana runs in this stack (docker, aiven), with the URL in the config. */
  grafana: boolean;
}

export interface StackProfile {
  readonly name: StackProfileName;
  /** Why this profile was chosen, for a command's first line. */
  readonly why: string;
  readonly capabilities: StackCapabilities;
  /**
   * The configuration the steps and the pipeline get, read when asked: after `up`, it includes what `up` wrote to
   * `.env` (the docker stack's JDBC URL), so call it after `up`, not before.
   */
  config(): WorkshopConfig;
  /** Starts what does not run; an aborted `signal` makes it start nothing more and return (rejecting) at once. */
  up(report: Reporter, options?: { signal?: AbortSignal }): Promise<StackUpOutcome>;
  /** Stops what the kit runs; with `only`, just those services (what one run started). */
  down(report: Reporter, options?: { only?: string[] }): Promise<StackDownOutcome>;
  status(): Promise<ServiceState[]>;
  /** Between sessions: the workshop's topics, subjects, connectors and tables go; the stack keeps running. */
  reset(report: Reporter, options?: ResetOptions): Promise<ResetSummary>;
  /**
   * The connector config this stack's Kafka Connect takes for step 05's Debezium JDBC sink config: the same on native
   * and docker; translated for Aiven's own JDBC sink on Aiven (shared/src/aiven-jdbc-sink.ts).
   */
  jdbcSinkConfig(debeziumConfig: Record<string, string>, config: WorkshopConfig): Record<string, string>;
}

/** Whether every service of the profile answers. */
export async function everyServiceWorks(profile: StackProfile): Promise<boolean> {
  return (await profile.status()).every((service) => service.working);
}
