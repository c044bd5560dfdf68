// Every subcommand of `layerwise`, one line each.
import type { Command } from "../command.js";
import { infoCommand } from "./info.js";

export const commands: Command[] = [infoCommand];
