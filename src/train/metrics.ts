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
