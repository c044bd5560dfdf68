// Every subcommand of `layerwise`, one line each.
import type { Command } from "../command.js";
import { demoCommand } from "./demo.js";
import { encodeCommand } from "./encode.js";
import { evaluateCommand } from "./evaluate.js";
import { generateCommand } from "./generate.js";
import { hopfieldCommand } from "./hopfield.js";
import { infoCommand } from "./info.js";
import { loglikCommand } from "./loglik.js";
import { maxnetCommand } from "./maxnet.js";
import { sampleCommand } from "./sample.js";
import { trainAeCommand } from "./train-ae.js";
import { trainCnnCommand } from "./train-cnn.js";
import { trainDbnCommand } from "./train-dbn.js";
import { trainLvqCommand } from "./train-lvq.js";
import { trainMlpCommand } from "./train-mlp.js";
import { trainRbmCommand } from "./train-rbm.js";
import { trainRnnCommand } from "./train-rnn.js";
import { trainSomCommand, trainWtaCommand } from "./train-som.js";
import { tspCommand } from "./tsp.js";

export const commands: Command[] = [
  infoCommand,
  trainMlpCommand,
  trainCnnCommand,
  evaluateCommand,
  trainRbmCommand,
  sampleCommand,
  loglikCommand,
  hopfieldCommand,
  tspCommand,
  trainDbnCommand,
  demoCommand,
  trainAeCommand,
  encodeCommand,
  trainSomCommand,
  trainWtaCommand,
  trainLvqCommand,
  maxnetCommand,
  trainRnnCommand,
  generateCommand,
];
