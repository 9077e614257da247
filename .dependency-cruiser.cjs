/**
 * The kit's layering, checked by `npm run deps` (and by the gates in front of `npm test`).
 *
 *   shared/     the library every product uses: config, names, client factories, repoRoot, terminal output, step-test helpers
 *   infra/      the stack (profiles, native services, docker, aiven, the ClickHouse HTTP tool)   → shared
 *   kit/        the participant CLI, the author checks (dev), npm start's live pipeline        → infra, shared, solutions
 *   slides/     the slides builder                                                              → shared
 *   steps/, solutions/   what participants write and its reference                             → shared
 *
 * Inside a product: domain modules return data, `view/` renders it, `commands/` (the entry files) glue the two.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules cannot be understood, tested or moved apart; one of them owns something the other needs.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'An import the cruiser cannot resolve is invisible to every rule below; a workspace export or path that no longer exists ' +
        'must fail here rather than let the layering pass unchecked.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'shared-is-the-bottom',
      severity: 'error',
      comment: 'shared/ is what every product builds on; importing a product from it would make every product depend on every other.',
      from: { path: '^shared/' },
      to: { path: '^(infra|kit|slides|steps|solutions)/' },
    },
    {
      name: 'infra-only-uses-shared',
      severity: 'error',
      comment:
        'infra/ is the stack: it must run (npm run stack:up, CI) without the participant CLI, the slides or any exercise. ' +
        'Callers pass what the stack needs in; the stack never reaches up.',
      from: { path: '^infra/' },
      to: { path: '^(kit|slides|steps|solutions)/' },
    },
    {
      name: 'kit-src-uses-infra-shared-solutions',
      severity: 'error',
      comment:
        "kit/ drives the stack (infra/), the library (shared/) and, for npm start's live pipeline, the reference solutions. " +
        "A participant's starter (steps/) is only ever run as a child process, and the slides are a separate product.",
      from: { path: '^kit/src/' },
      to: { path: '^(slides|steps)/' },
    },
    {
      name: 'kit-tests-use-step-test-helpers-only',
      severity: 'error',
      comment:
        "kit/'s tests may reuse a step's test helpers (one macro expander checks both the step and grafana/dashboards), " +
        "but never a starter: its content is the participant's and changes under the tests' feet.",
      from: { path: '^kit/' },
      to: { path: '^(slides/|steps/[^/]+/src/)' },
    },
    {
      name: 'slides-only-use-shared',
      severity: 'error',
      comment:
        'The slides builder reads solutions as text (regions and symbols), it does not run them; what it needs from the ' +
        'workshop (the step list) belongs in shared/, so the decks build without the CLI. Its tests may check that ' +
        "the kit's `npm run solution` ignores the region markers the slides add (slides/test → kit/src).",
      from: { path: '^slides/src/' },
      to: { path: '^(infra|kit|steps|solutions)/' },
    },
    {
      name: 'exercises-only-use-shared',
      severity: 'error',
      comment: "A step is what a participant would write with the libraries and shared/: never the kit's tooling or the stack's internals.",
      from: { path: '^(steps|solutions)/' },
      to: { path: '^(infra|kit|slides)/' },
    },
    {
      name: 'solution-uses-its-own-files',
      severity: 'error',
      comment: "A reference solution stands alone, as the participant's does: nothing from another step or from a starter.",
      from: { path: '^solutions/([^/]+)/' },
      to: { path: '^(steps|solutions)/', pathNot: '^solutions/$1/' },
    },
    {
      name: 'starter-uses-its-own-files',
      severity: 'error',
      comment: 'A starter stands alone: the participant edits this folder only, so an import from elsewhere is one they did not write.',
      from: { path: '^steps/([^/]+)/src/' },
      to: { path: '^(steps|solutions)/', pathNot: '^steps/$1/src/' },
    },
    {
      name: 'step-tests-use-their-step',
      severity: 'error',
      comment:
        "A step's tests reach the code under test through ../src only (the alias switches it between starter, solution and " +
        "mistakes), and import no other step's files. An earlier step's reference solution is allowed (step 07's tests build " +
        "the tables steps 05 and 06 create), never their own step's: that would bypass the switch.",
      from: { path: '^steps/([^/]+)/', pathNot: '^steps/[^/]+/src/' },
      to: { path: '^(steps/|solutions/$1/)', pathNot: '^steps/$1/' },
    },
    {
      name: 'production-never-imports-tests',
      severity: 'error',
      comment:
        'shared/src/testing is for step tests (vitest, hints, waits tuned for tests); production code that needs one of its ' +
        "helpers needs it moved to shared/src proper. A test/ folder's files are fixtures nobody ships.",
      from: { path: '^[^/]+/src/', pathNot: '^(steps|solutions|shared/src/testing)/' },
      to: { path: '(^shared/src/testing/|(^|/)test/)' },
    },
    {
      name: 'nothing-imports-an-entry-file',
      severity: 'error',
      comment:
        'Files under src/commands/ are entry points (npm scripts run them): importing one runs its main() as a side effect, ' +
        'and means logic that belongs in a module lives in a command. Tests spawn them by path, which is not an import.',
      from: {},
      to: { path: '^[^/]+/src/commands/' },
    },
    {
      name: 'domain-modules-do-not-render',
      severity: 'error',
      comment:
        'Domain modules return data; only commands/ and view/ paint or print tables, so the same data can be shown, tested ' +
        'or reused (npm test, npm start, the slides) without terminal codes in it.',
      from: { path: '^(kit/src/(workshop|dev|pipeline)|infra/src/(native|docker|aiven|reset|profiles))/' },
      to: { path: '^shared/src/terminal/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^\\.stack/|^slides/dist/' },
    // tsconfig.json's NodeNext resolution maps `./x.js` to `./x.ts`; workspace packages (@workshop/shared) resolve through
    // node_modules' symlinks to their package.json "exports", i.e. to shared/src.
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a domain module that imports a view's type is still coupled to the view.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
