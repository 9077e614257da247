import { afterEach, describe, expect, it } from 'vitest';
import { KitError } from '@workshop/shared';
import { readWorkshop, readWorkshopSteps } from '../../src/workshop/steps.js';
import { createFakeWorkshop, type FakeWorkshop } from './fake-workshop.js';

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

/** Writes the fake's steps/workshop.json after `change` has edited it (as a person editing the file would). */
function editWorkshopJson(change: (file: Record<string, unknown> & { steps: Record<string, unknown>[] }) => void): void {
  const file = JSON.parse(fake.read('steps/workshop.json'));
  change(file);
  fake.write('steps/workshop.json', JSON.stringify(file, null, 2));
}

/** The KitError readWorkshop throws (failing the test if it throws nothing, or something else). */
function workshopError(): KitError {
  try {
    readWorkshop(fake.root);
  } catch (error) {
    if (error instanceof KitError) return error;
    throw error;
  }
  throw new Error('readWorkshop accepted the file');
}

describe('steps/workshop.json', () => {
  it("the kit's own file is valid: steps in order, each with hints, and the welcome and final messages", () => {
    const workshop = readWorkshop();
    expect(workshop.steps.map((step) => step.dir.slice(0, 2))).toEqual(workshop.steps.map((_, index) => String(index).padStart(2, '0')));
    expect(workshop.welcome.heading).toBe('Welcome to the workshop!');
    expect(workshop.final.heading).toContain('{stepCount}');
  });

  it('names the file and the field that is wrong, and says what it must be', () => {
    fake = createFakeWorkshop();
    editWorkshopJson((file) => {
      file.steps[1]!.hints = [];
    });
    const error = workshopError();
    // The field as a path into the file: steps, then the second step, then its hints.
    expect(error.message).toMatch(/steps\/workshop\.json: steps(\.1|\[1\])\.hints must be a non-empty list of strings/);
    expect(error.hint).toContain('fix that field in steps/workshop.json');

    editWorkshopJson((file) => {
      file.steps[1]!.hints = ['fine'];
      delete file.steps[0]!.exercise;
    });
    expect(workshopError().message).toMatch(/steps(\.0|\[0\])\.exercise is missing/);
  });

  it('refuses a folder name without its number, and two steps with one number', () => {
    fake = createFakeWorkshop();
    editWorkshopJson((file) => {
      file.steps[1]!.dir = 'greet';
    });
    expect(workshopError().message).toMatch(/steps(\.1|\[1\])\.dir must be a folder name like "01-fake-data"/);

    editWorkshopJson((file) => {
      file.steps[1]!.dir = '01-greet';
    });
    expect(workshopError().message).toMatch(/steps(\.1|\[1\])\.dir has the number 01 of steps\[0\] too/);
  });

  it('needs the welcome message (the CLI has no text of its own)', () => {
    fake = createFakeWorkshop();
    editWorkshopJson((file) => {
      delete file.welcome;
    });
    expect(workshopError().message).toMatch(/steps\/workshop\.json: welcome is missing/);
  });

  it('refuses a placeholder in the final message that the CLI cannot fill', () => {
    fake = createFakeWorkshop();
    editWorkshopJson((file) => {
      file.final = { heading: 'Done: {stepCount} steps', lines: ['see {solutionDir}'] };
    });
    expect(workshopError().message).toMatch(
      /final(\.lines\.0|\.lines\[0\]) uses \{solutionDir\}: the placeholders there are \{stepCount\} and \{firstExercise\}/,
    );
  });

  it('is a KitError with a hint when the file is not there (run outside the kit)', () => {
    fake = createFakeWorkshop();
    fake.remove('steps/workshop.json');
    const error = workshopError();
    expect(error.message).toBe(`steps/workshop.json is not in ${fake.root}`);
    expect(error.hint).toMatch(/inside the workshop kit/);
    expect(() => readWorkshopSteps(fake.root)).toThrow(KitError);
  });
});
