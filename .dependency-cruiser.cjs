// The house rules (README "Project layout"), checked by `npm test`:
// data flows one way, core <- datasets, templates, metrics, records <- preprocess <-
// adapters <- embeddings <- tasks <- runner <- reports <- cli, and no cycles.
const SOURCE = '^(core|datasets|templates|metrics|records|preprocess|adapters|embeddings|tasks|runner|reports|cli)/';

/** A folder may import only the folders named (and itself, and node/npm packages). */
function only(folder, allowed) {
  return {
    name: `${folder}-imports-only-${allowed.length ? allowed.join('-') : 'itself'}`,
    comment: `${folder}/ may import only ${allowed.length ? allowed.map((name) => `${name}/`).join(', ') : 'nothing of the project'}`,
    severity: 'error',
    from: { path: `^${folder}/` },
    to: { path: SOURCE, pathNot: `^(${[folder, ...allowed].join('|')})/` },
  };
}

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'no import cycles', from: { path: SOURCE }, to: { circular: true } },
    only('core', []),
    only('datasets', ['core']),
    only('templates', ['core']),
    only('metrics', ['core']),
    only('records', ['core']),
    only('preprocess', ['core', 'datasets']),
    only('adapters', ['core', 'datasets', 'templates', 'preprocess']),
    only('embeddings', ['core', 'datasets', 'templates', 'preprocess', 'adapters']),
    only('tasks', ['core', 'datasets', 'templates', 'metrics', 'preprocess', 'adapters', 'embeddings']),
    only('runner', ['core', 'datasets', 'templates', 'metrics', 'records', 'preprocess', 'adapters', 'embeddings', 'tasks']),
    // Reports read records and metric definitions; nothing that reads images or runs a model.
    only('reports', ['core', 'records', 'metrics']),
    {
      name: 'only-cli-imports-reports',
      severity: 'error',
      from: { path: SOURCE, pathNot: '^(cli|reports)/' },
      to: { path: '^reports/' },
    },
    {
      name: 'only-the-onnx-backend-imports-onnxruntime',
      severity: 'error',
      from: { pathNot: '^adapters/onnx\\.ts$' },
      to: { path: 'onnxruntime-node' },
    },
    {
      name: 'library-entry-loads-no-report-stack',
      comment: 'import("msclip-bench") must not load vega, resvg or handlebars: that is msclip-bench/reports',
      severity: 'error',
      from: { path: '^cli/library\\.ts$' },
      to: { path: '(^reports/|node_modules/(vega|vega-lite|handlebars|@resvg)/)', reachable: true },
    },
    {
      name: 'sources-never-import-bench-scripts-or-tests',
      severity: 'error',
      from: { path: SOURCE },
      to: { path: '^(bench|scripts|test)/' },
    },
    {
      name: 'scripts-and-bench-never-import-tests',
      severity: 'error',
      from: { path: '^(bench|scripts)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
