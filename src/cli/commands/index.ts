// Every subcommand of `layerwise`, one line each.
import type { Command } from "../command.js";
import { infoCommand } from "./info.js";
import { trainMlpCommand } from "./train-mlp.js";
import { trainCnnCommand } from "./train-cnn.js";
import { evaluateCommand } from "./evaluate.js";
import { trainRbmCommand } from "./train-rbm.js";
import { sampleCommand } from "./sample.js";
import { loglikCommand } from "./loglik.js";
import { hopfieldCommand } from "./hopfield.js";
import { tspCommand } from "./tsp.js";
import { trainDbnCommand } from "./train-dbn.js";
import { demoCommand } from "./demo.js";

export const commands: Command[] = [infoCommand, trainMlpCommand, trainCnnCommand, evaluateCommand, trainRbmCommand, sampleCommand, loglikCommand, hopfieldCommand, tspCommand, trainDbnCommand, demoCommand];
