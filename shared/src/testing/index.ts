export { HintError, assertWithHint, withHint } from './hints.js';
export { pollUntil, type PollOptions } from './poll.js';
export { uniqueName, uniqueSessionId } from './ids.js';
export { exerciseTarget, exerciseSrcDir, type ExerciseTarget } from '../exercise-target.js';
export { startTheStackHint, describeUnreachable, serviceAddress, type ServiceName } from './services.js';
export { tsxNodeArgs } from './tsx.js';
