/**
 * The up-down algorithm (Hinton, Osindero & Teh 2006, §5 and appendix B), "contrastive
 * wake-sleep": generative fine-tuning of a DBN whose top RBM carries the label units.
 *
 * The directed layers are first untied: the recognition weights R (each RBM's W, used going
 * up) and the generative weights G (a copy, used going down) are learned apart. Per batch:
 *   wake   binary states up the recognition pass from the data, v = h0 → h1 → ... → pen;
 *   top    one CD-k update of the top RBM on [pen, label] (the RBM's own partialFit);
 *   sleep  from the pen states at the end of that CD chain, binary states down the
 *          generative pass, pen → ... → h1 → p(v);
 *   then the delta rules, each layer learning to predict the layer the other pass produced:
 *     G_i += ε (h_i^wake − p(h_i | h_{i+1}^wake))ᵀ h_{i+1}^wake      (generative, from the wake phase)
 *     R_i += ε h_i^sleepᵀ (h_{i+1}^sleep − q(h_{i+1} | h_i^sleep))   (recognition, from the sleep phase)
 * with the matching bias updates (generative: each RBM's visible bias a; recognition: its
 * hidden bias b). The top RBM keeps its own learning rate, momentum and CD steps.
 */
import { gatherRows } from "../../data/batch.js";
import { axpby, sub } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli } from "../../ops/random.js";
import { sum } from "../../ops/reduce.js";
import { Rng } from "../../tensor/random.js";
import { ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, callbackList, type Logs } from "../../train/callbacks.js";
import { type DivergenceOptions, epochLogs, fitLoop, type TrainingStep } from "../../train/loop.js";
import { checkRows, checkUnitRange, hiddenMean } from "../rbm/core.js";
import type { DBN } from "./dbn.js";
import { joinColumns } from "./dbn.js";

export interface UpDownOptions {
  epochs?: number;
  batchSize?: number;
  /** ε of the generative and recognition weights. Default 0.01. */
  learningRate?: number;
  /** Starts the up-down generator afresh from this seed; by default the DBN's up-down stream goes on (from seed + 104729 the first time). */
  seed?: number;
  /** Keras-style callbacks (logs: wakeError, sleepError), or one { onEpochEnd(logs: UpDownEpochLogs) } object. */
  callbacks?: readonly Callback[] | { onEpochEnd?(logs: UpDownEpochLogs): void | Promise<void> };
  /** Stop when the wake error explodes or a weight leaves ±maxWeight (docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
}

export interface UpDownEpochLogs {
  epoch: number;
  /** Σ (v − p(v | h1^wake))² per image: how well the generative weights explain the data. */
  wakeError: number;
  /** Σ (h1^sleep − q(h1 | v^sleep))² per dream: how well the recognition weights invert the dreams. */
  sleepError: number;
  seconds: number;
}

/** The first p columns of x [n, q] (the pen part of [pen, label]). */
function leftColumns(x: Tensor, p: number): Tensor {
  const q = x.cols;
  const out = zeros([x.rows, p]);
  for (let r = 0; r < x.rows; r++) out.data.set(x.data.subarray(r * q, r * q + p), r * p);
  return out;
}

/** Σ of squared entries of d. */
const sumSquares = (d: Tensor): number => {
  let s = 0;
  for (let i = 0; i < d.size; i++) s += d.data[i] * d.data[i];
  return s;
};

export async function upDown(dbn: DBN, data: Tensor, labels: Tensor, options: UpDownOptions = {}): Promise<UpDownEpochLogs[]> {
  if (dbn.labels === 0) throw new Error("upDown: the DBN has no label units (construct it with { labels: classes } and pretrain with labels)");
  dbn.checkData("upDown", data, "data");
  checkRows("upDown", labels, dbn.labels, "labels");
  checkUnitRange("upDown", labels, "bernoulli", "labels");
  if (labels.rows !== data.rows) throw new ShapeError(`upDown: ${data.rows} data rows but ${labels.rows} label rows`);
  if (dbn.rbms.length < 2) throw new Error("upDown: the DBN needs at least one directed layer below the top RBM");
  for (const [i, r] of dbn.rbms.entries()) {
    if (r.visibleUnits !== "bernoulli" || r.hiddenUnits !== "bernoulli" || r.upScale !== 1 || r.downScale !== 1)
      throw new Error(`upDown: RBM ${i + 1} must have plain Bernoulli units (it has ${r.visibleUnits}/${r.hiddenUnits})`);
  }
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 100;
  const eps = options.learningRate ?? 0.01;
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`upDown: epochs must be an integer >= 0, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`upDown: batchSize must be an integer >= 1, got ${batchSize}`);
  if (!(eps > 0 && eps <= 10)) throw new RangeError(`upDown: learningRate must be in (0, 10], got ${eps}`);
  dbn.untie();
  const G = dbn.generativeW as Tensor[];
  const lower = dbn.rbms.slice(0, -1);
  const top = dbn.top;
  // the up-down stream lives with the DBN (and its checkpoints), so a second call goes on where the first stopped
  if (options.seed !== undefined || dbn.upDownRng === null) dbn.upDownRng = new Rng(options.seed ?? dbn.seed + 104729);
  const rng = dbn.upDownRng;
  let start = 0; // of the epoch, for the legacy callback's seconds
  let dreams = 0; // sleep-phase rows this epoch (the top RBM's persistent chains under PCD)
  let sleepSum = 0;
  const step: TrainingStep = {
    beginEpoch: () => {
      dreams = 0;
      sleepSum = 0;
      return undefined;
    },
    trainStep: (rows) => {
      const v = gatherRows(data, rows);
      const n = v.rows;
      // wake: binary states up the recognition weights
      const wake = [v];
      for (const r of lower) wake.push(bernoulli(hiddenMean(r, wake[wake.length - 1]), rng));
      // top: CD-k on [pen, label]; its negative phase ends the chain the sleep phase starts from
      top.partialFit(joinColumns(wake[wake.length - 1], gatherRows(labels, rows)));
      const negative = top.lastNegative as Tensor;
      const sleep: Tensor[] = new Array(lower.length + 1);
      sleep[lower.length] = bernoulli(leftColumns(negative, dbn.penultimate), rng);
      for (let i = lower.length - 1; i >= 0; i--) {
        const p = dbn.generateLayer(i, sleep[i + 1]);
        sleep[i] = i > 0 ? bernoulli(p, rng, p) : p; // the dreamed image keeps its probabilities
      }
      let wakeError = 0;
      for (let i = 0; i < lower.length; i++) {
        // generative: predict the wake layer i from the wake layer above
        const dGen = sub(wake[i], dbn.generateLayer(i, wake[i + 1]));
        if (i === 0) wakeError = sumSquares(dGen) / n;
        matmul(dGen, wake[i + 1], { transA: true, alpha: eps / n, beta: 1, out: G[i] });
        axpby(eps / n, sum(dGen, 0), 1, lower[i].a);
        // recognition: predict the sleep layer i + 1 from the sleep layer below
        const dRec = sub(sleep[i + 1], hiddenMean(lower[i], sleep[i]));
        const m = dRec.rows; // the dreams: n rows, or the top RBM's persistent chains under PCD
        if (i === 0) {
          sleepSum += sumSquares(dRec);
          dreams += m;
        }
        matmul(sleep[i], dRec, { transA: true, alpha: eps / m, beta: 1, out: lower[i].W });
        axpby(eps / m, sum(dRec, 0), 1, lower[i].b);
      }
      return { wakeError };
    },
    endEpoch: (e, logs) => {
      dbn.upDownEpochs++;
      if (!G.every((g) => g.data.every(Number.isFinite)) || !lower.every((r) => r.W.data.every(Number.isFinite)))
        throw new Error(`upDown: weights became non-finite in epoch ${e + 1}; lower learningRate (now ${eps})`);
      logs.sleepError = sleepSum / dreams; // per dream, however many chains dreamed
    },
  };
  const history = await fitLoop({
    what: "upDown",
    model: dbn,
    step,
    rows: data.rows,
    epochs,
    initialEpoch: dbn.upDownEpochs,
    batchSize,
    rng,
    callbacks: callbackList(options.callbacks, (legacy) => ({
      onEpochBegin: () => void (start = performance.now()),
      onEpochEnd: (e, logs) => legacy.onEpochEnd?.(upDownLogs(logs, e, (performance.now() - start) / 1e3)),
    })),
    advice: `lower learningRate (now ${eps})`,
    divergence: options.divergence,
    errorFigures: ["wakeError", "sleepError"],
    weights: () => [...G.map((g, i) => [`G${i + 1}`, g] as const), ...dbn.rbms.map((r, i) => [`rbm${i + 1}.W`, r.W] as const)],
  });
  return epochLogs(history).map((logs, i) => upDownLogs(logs, history.epoch[i], history.seconds[i]));
}

function upDownLogs(logs: Logs, epoch: number, seconds: number): UpDownEpochLogs {
  return { epoch: epoch + 1, wakeError: logs.wakeError, sleepError: logs.sleepError, seconds };
}
