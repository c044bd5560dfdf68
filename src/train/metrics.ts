/**
 * Metrics as counts over a batch, so epoch figures are exact means over samples.
 * accuracy: for one output column, (y > ½) = (t > ½); for several, argmax y = argmax t.
 */
import type { Tensor } from "../tensor/tensor.js";

export const METRIC_NAMES = ["accuracy"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export function assertMetrics(metrics: readonly unknown[], where: string): MetricName[] {
  for (const m of metrics) {
    if (!(METRIC_NAMES as readonly unknown[]).includes(m))
      throw new RangeError(`${where}: metrics must be drawn from ${METRIC_NAMES.join(", ")}; got ${JSON.stringify(m)}`);
  }
  return [...new Set(metrics as MetricName[])];
}

/** Number of rows whose prediction y matches the target t. */
export function countCorrect(y: Tensor, t: Tensor): number {
  const rows = y.rows;
  const cols = y.cols;
  const yd = y.data;
  const td = t.data;
  let correct = 0;
  if (cols === 1) {
    for (let r = 0; r < rows; r++) if (yd[r] > 0.5 === td[r] > 0.5) correct++;
    return correct;
  }
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let by = 0;
    let bt = 0;
    for (let j = 1; j < cols; j++) {
      if (yd[o + j] > yd[o + by]) by = j;
      if (td[o + j] > td[o + bt]) bt = j;
    }
    if (by === bt) correct++;
  }
  return correct;
}

/**
 * The confusion matrix of a classifier: counts[t][p] is the number of rows of true class t
 * predicted as class p (so the diagonal holds the right answers). Classes are 0 … classes − 1.
 */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[][] {
  if (predicted.length !== labels.length) throw new RangeError(`confusionMatrix: ${predicted.length} predictions for ${labels.length} labels`);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [t, p] = [labels[i], predicted[i]];
    if (!(Number.isInteger(t) && t >= 0 && t < classes && Number.isInteger(p) && p >= 0 && p < classes)) {
      throw new RangeError(`confusionMatrix: row ${i} has label ${t} and prediction ${p}; both must be integers in [0, ${classes - 1}]`);
    }
    counts[t][p]++;
  }
  return counts;
}
