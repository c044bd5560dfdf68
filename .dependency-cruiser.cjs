/**
 * The layer map of src/, checked by dependency-cruiser (`npm run lint:layers`, and
 * test/layers.test.ts inside `npm test`). README.md's "Layout" paragraph states the same order.
 *
 * Each layer imports only from the layers before it in LAYERS. Above them all sit src/index.ts
 * (the package entry) and src/cli (the Node-only command, outside the library's import graph).
 */

/** Bottom to top. */
const LAYERS = [
  "platform", // Node-only or browser-only APIs: files, workers, env, standard output
  "backend", // kernels over Float32Array views; allocates tensor storage, so it sits below tensor
  "tensor", // Tensor, shapes, seeded random numbers
  "ops", // tensor operations routed to the backend
  "io", // bytes and formats: files, safetensors, model.json, PNG, SVG
  "data", // datasets (MNIST, IDX), batching, transforms, augmentation; reads files through io
  "nn", // layers, losses, initialisers
  "optim", // optimisers and schedules
  "train", // the training loop, callbacks, Sequential
  "models", // one folder per model family
];

const upwardImports = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only from ${LAYERS.slice(0, i).join(", ") || "nothing else in src"}: it sits below ${LAYERS.slice(i + 1).join(", ")}`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join("|")})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upwardImports,
    {
      name: "no-circular",
      comment: "an import loop in src/ (dependency-cruiser prints the cycle)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "node-only-in-platform",
      comment: "Node built-ins (node:fs, path, worker_threads, ...) only in src/platform and src/cli, so the library bundles for the browser",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(platform|cli)/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "cli-on-top",
      comment: "src/cli is the Node-only command: the library never imports it",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "no-package-entry-inside",
      comment: "src/index.ts is the package entry: modules inside src import the module they need, not the entry",
      severity: "error",
      from: { path: "^src/(?!index\\.ts$)" },
      to: { path: "^src/index\\.ts$" },
    },
    {
      name: "resolvable",
      comment: "an import that resolves to no file",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // type-only imports count: a loop through types is still a loop in the design
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
