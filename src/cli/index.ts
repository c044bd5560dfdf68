/**
 * `layerwise/cli`: the option parser of the `layerwise` command, for scripts that want its
 * declared flags, range checks and help text (the reproduction scripts in examples/ use it).
 */
export type { OptionSpec, OptionSpecs, ParsedOptions } from "./args.js";
export { formatHelp, parseOptions, UsageError } from "./args.js";
