// A relative import: vitest bundles its config with esbuild and would leave a workspace package's .ts to Node.
import { defineStepConfig } from '../../shared/src/testing/step-config.js';

export default defineStepConfig(import.meta.dirname);
