/** Every benchmark `npm run bench` knows. Add yours with one line (see bench/harness.ts). */

import { aeEpoch } from "./ae-epoch.js";
import { cnnEpoch } from "./cnn-epoch.js";
import { gemm } from "./gemm.js";
import type { Benchmark } from "./harness.js";
import { hopfieldRecall } from "./hopfield-recall.js";
import { lstmEpoch } from "./lstm-epoch.js";
import { mlpEpoch } from "./mlp-epoch.js";
import { rbmCd1 } from "./rbm-cd1.js";
import { rbmEpoch } from "./rbm-epoch.js";
import { somEpoch } from "./som-epoch.js";
import { vaeEpoch } from "./vae-epoch.js";

export const benchmarks: readonly Benchmark[] = [gemm, rbmCd1, rbmEpoch, mlpEpoch, hopfieldRecall, cnnEpoch, aeEpoch, vaeEpoch, lstmEpoch, somEpoch];
