/** `layerwise generate`: text sampled character by character from a saved character model. */

import { loadModel } from "../../models/load.js";
import { CharLM } from "../../models/recurrent/char-lm.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import { defineCommand, requireOptionShowingHelp, seedOption } from "../common.js";

const specs = {
  model: { type: "string", description: "folder of a saved character model (model.json + model.safetensors)" },
  length: { type: "number", description: "characters to generate", integer: true, min: 1, default: 500 },
  temperature: {
    type: "number",
    description: "τ: draws from p^(1/τ); below 1 sharper and more repetitive, above 1 more varied",
    above: 0,
    default: 0.8,
  },
  prime: { type: "string", description: "text the sample continues (printed first; default: start after a newline)" },
  seed: seedOption("seed of the draws (the same seed gives the same text)"),
} as const;

const USAGE = "layerwise generate --model DIR [--length 500] [--temperature 0.8] [--prime TEXT] [--seed 1]";

export const generateCommand: Command = defineCommand({
  path: ["generate"],
  summary: "generate text from a saved character-level language model",
  usage: USAGE,
  specs,
  async run(o, help) {
    const dir = requireOptionShowingHelp(o.model, "--model DIR", help);
    const lm = await loadModel(dir);
    if (!(lm instanceof CharLM)) throw new UsageError(`${dir} holds a ${lm.constructor.name}; generate samples from a character model (CharLM)`);
    const prime = o.prime ?? "";
    for (const c of prime)
      if (!lm.vocabulary.has(c))
        throw new UsageError(`option --prime: character ${JSON.stringify(c)} is not among the ${lm.vocabulary.size} characters the model in ${dir} knows`);
    const text = lm.sample({ length: o.length ?? 500, temperature: o.temperature ?? 0.8, prime, seed: o.seed });
    console.log(prime + text);
    return 0;
  },
});
