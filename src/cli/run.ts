/** Development entry: runs the `layerwise` command from the sources (`node --import tsx src/cli/run.ts ...`); bin/layerwise.js runs the built one. */
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
