import { backend } from "../../backend/index.js";
import type { Command } from "../command.js";
import { defineCommand } from "../common.js";

export const infoCommand: Command = defineCommand({
  path: ["info"],
  summary: "print the backend in use and why, SIMD support, the thread count and (native) the BLAS core",
  usage: "layerwise info [--json]",
  specs: { json: { type: "boolean", description: "print JSON" } },
  async run(options) {
    const info = backend().info();
    if (options.json) {
      console.log(JSON.stringify(info));
      return 0;
    }
    console.log(`backend: ${info.name}`);
    console.log(`simd:    ${info.simd ? "yes" : "no"}`);
    console.log(`threads: ${info.threads}`);
    if (info.kernels !== undefined) console.log(`kernels: ${info.kernels}`);
    for (const note of info.notes) console.log(`note:    ${note}`);
    return 0;
  },
});
