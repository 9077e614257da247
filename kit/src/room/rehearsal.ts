import { randomBytes } from 'node:crypto';
import { participantVariable, validateParticipant } from '@workshop/shared';
import { runStepTests, type StepTestOutcome, type StepTestRunner } from '../workshop/run-step-tests.js';

/**
 * `npm run room:rehearse` (issue 17): N simulated participants, each in a namespace of her own, run the steps' tests on
 * the reference solutions at the same time against one stack — as a room does, minus the typing. Each participant works
 * through her steps in order; the participants run side by side. Every run publishes to the board (WORKSHOP_BOARD=on:
 * the reference solutions are not the participants' own code, which is all the board shows otherwise).
 */

/** First names for the rows of the board; past the list, `p<n>`. Each gets the run's tag so reruns never share a row. */
const firstNames = [
  'alice',
  'bob',
  'carol',
  'dan',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
];

/** A short tag of lowercase letters and digits (a participant name may hold only those and `-`). */
export function rehearsalTag(): string {
  return randomBytes(4).readUInt32BE(0).toString(36).slice(0, 5);
}

/** The names of `count` participants of one rehearsal: `alice-<tag>`, `bob-<tag>`, …, each valid (names.ts). */
export function rehearsalParticipants(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => validateParticipant(`${firstNames[i] ?? `p${i + 1}`}-${tag}`));
}

export interface StepRun {
  step: string;
  outcome: StepTestOutcome;
}

export interface ParticipantRun {
  participant: string;
  runs: StepRun[];
  /** Wall-clock time from her first step's start to her last step's end. */
  seconds: number;
}

export interface RehearsalOptions {
  participants: readonly string[];
  steps: readonly string[];
  /** Default: runStepTests on the solution. */
  runner?: StepTestRunner;
  /** Called as each step of each participant ends. */
  progress?: (participant: string, run: StepRun) => void;
  /** Extra variables for every run (a test's own; WORKSHOP_BOARD=off keeps the runs off the board). */
  extraEnv?: NodeJS.ProcessEnv;
}

export function isGreen(run: StepRun): boolean {
  return !run.outcome.crashed && run.outcome.failed === 0 && run.outcome.passed > 0;
}

async function participantRuns(participant: string, options: RehearsalOptions): Promise<ParticipantRun> {
  const runner = options.runner ?? runStepTests;
  const started = performance.now();
  const runs: StepRun[] = [];
  for (const step of options.steps) {
    const outcome = await runner(step, 'solution', {
      extraEnv: { WORKSHOP_BOARD: 'on', ...options.extraEnv, [participantVariable]: participant },
    });
    const run = { step, outcome };
    runs.push(run);
    options.progress?.(participant, run);
  }
  return { participant, runs, seconds: (performance.now() - started) / 1000 };
}

/** Every participant's steps, the participants side by side; resolves when the last one is done. */
export async function rehearse(options: RehearsalOptions): Promise<ParticipantRun[]> {
  return Promise.all(options.participants.map((participant) => participantRuns(participant, options)));
}

export interface StepTimes {
  step: string;
  min: number;
  mean: number;
  max: number;
}

/** Per step, the test time over the participants: what a room waits for on that step. */
export function stepTimes(results: readonly ParticipantRun[], steps: readonly string[]): StepTimes[] {
  return steps.map((step) => {
    const seconds = results.flatMap((result) => result.runs.filter((run) => run.step === step).map((run) => run.outcome.seconds));
    return {
      step,
      min: Math.min(...seconds),
      mean: seconds.reduce((sum, s) => sum + s, 0) / Math.max(1, seconds.length),
      max: Math.max(...seconds),
    };
  });
}
