import { backend } from "../../backend/index.js";
import type { Command } from "../command.js";
import { parseOptions } from "../args.js";

export const infoCommand: Command = {
  path: ["info"],
  summary: "print the backend in use, WebAssembly SIMD support and the thread count",
  async run(argv) {
    const { options } = parseOptions(argv, { json: { type: "boolean", description: "print JSON" } });
    const info = backend().info();
    if (options.json) {
      console.log(JSON.stringify(info));
      return 0;
    }
    console.log(`backend: ${info.name}`);
    console.log(`simd:    ${info.simd ? "yes" : "no"}`);
    console.log(`threads: ${info.threads}`);
    for (const note of info.notes) console.log(`note:    ${note}`);
    return 0;
  },
};
