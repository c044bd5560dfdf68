/**
 * Sequence data for recurrent nets: the adding problem, and padding of variable-length
 * sequences into one [batch, time, features] tensor with its mask.
 */
import { Rng } from "../tensor/random.js";
import { type Tensor, zeros } from "../tensor/tensor.js";

export interface AddingProblemOptions {
  /** Sequences to draw. */
  count: number;
  /** T, the length of each sequence. */
  steps: number;
  /** Default 0. */
  seed?: number;
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): each step is a
 * pair (a number drawn uniformly from [0, 1], a marker); exactly two steps are marked, one in
 * each half of the sequence, and the target is the sum of the two marked numbers. A net must
 * carry the first marked number across up to T steps. Predicting the mean sum 1 always has
 * MSE = Var(u₁ + u₂) = 2/12 ≈ 0.167: the baseline to beat.
 * x: [count, steps, 2] (number, marker); y: [count, 1].
 */
export function addingProblem(options: AddingProblemOptions): { x: Tensor; y: Tensor } {
  const { count, steps, seed = 0 } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`addingProblem: count must be an integer >= 1; got ${count}`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`addingProblem: steps must be an integer >= 2; got ${steps}`);
  const rng = new Rng(seed);
  const x = zeros([count, steps, 2]);
  const y = zeros([count, 1]);
  const half = Math.floor(steps / 2);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < steps; t++) x.data[(s * steps + t) * 2] = rng.nextFloat();
    const first = rng.int(half);
    const second = half + rng.int(steps - half);
    x.data[(s * steps + first) * 2 + 1] = 1;
    x.data[(s * steps + second) * 2 + 1] = 1;
    // the sum of the float32 values stored, so the target is exact for what the net reads
    y.data[s] = x.data[(s * steps + first) * 2] + x.data[(s * steps + second) * 2];
  }
  return { x, y };
}

export interface PadSequenceOptions {
  /** Length of the padded batch (default: the longest sequence; longer ones are an error). */
  steps?: number;
  /** Value of the padded steps (default 0; give it to Masking as maskValue). */
  value?: number;
}

/**
 * Pads sequences of different lengths (each a list of steps, each step a list of features) at
 * the end into x: [batch, steps, features], with mask: [batch, steps] (1 real step, 0 padding)
 * for a recurrent layer's setMask, or to check what a Masking layer derives.
 */
export function padSequenceBatch(sequences: readonly (readonly (readonly number[])[])[], options: PadSequenceOptions = {}): { x: Tensor; mask: Tensor } {
  if (!Array.isArray(sequences) || sequences.length === 0) throw new RangeError("padSequenceBatch: sequences must be a non-empty array of sequences");
  const longest = Math.max(...sequences.map((s) => s.length));
  const steps = options.steps ?? longest;
  const value = options.value ?? 0;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`padSequenceBatch: steps must be an integer >= 1; got ${steps}`);
  const features = sequences.find((s) => s.length > 0)?.[0].length ?? 1;
  const x = zeros([sequences.length, steps, features]);
  const mask = zeros([sequences.length, steps]);
  x.data.fill(value);
  for (const [b, seq] of sequences.entries()) {
    if (seq.length > steps) throw new RangeError(`padSequenceBatch: sequence ${b} has ${seq.length} steps, more than steps = ${steps}`);
    for (const [t, step] of seq.entries()) {
      if (step.length !== features) {
        throw new RangeError(`padSequenceBatch: step ${t} of sequence ${b} has ${step.length} features but the first step of the batch has ${features}`);
      }
      x.data.set(step, (b * steps + t) * features);
      mask.data[b * steps + t] = 1;
    }
  }
  return { x, mask };
}

export interface SymbolSequenceOptions {
  /** Sequences to draw. */
  count: number;
  /** K: the alphabet is 0 … K − 1. */
  symbols: number;
  /** The shortest length (default maxLength: all the same length). */
  minLength?: number;
  /** The longest length; also the padded width of the batch. */
  maxLength: number;
  /** Default 0. */
  seed?: number;
}

/**
 * Random strings over a small alphabet for a sequence autoencoder: each of a length drawn
 * uniformly from [minLength, maxLength], each symbol uniformly from 0 … K − 1.
 * ids: [count, maxLength] (symbol ids as numbers, 0 in the padding); mask: [count, maxLength]
 * (1 real step, 0 padding, padding at the end), as padSequenceBatch gives.
 */
export function symbolSequences(options: SymbolSequenceOptions): { ids: Tensor; mask: Tensor } {
  const { count, symbols, maxLength, seed = 0 } = options;
  const minLength = options.minLength ?? maxLength;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`symbolSequences: count must be an integer >= 1; got ${count}`);
  if (!Number.isInteger(symbols) || symbols < 2) throw new RangeError(`symbolSequences: symbols must be an integer >= 2; got ${symbols}`);
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`symbolSequences: maxLength must be an integer >= 1; got ${maxLength}`);
  if (!Number.isInteger(minLength) || minLength < 1 || minLength > maxLength)
    throw new RangeError(`symbolSequences: minLength must be an integer in [1, maxLength = ${maxLength}]; got ${minLength}`);
  const rng = new Rng(seed);
  const ids = zeros([count, maxLength]);
  const mask = zeros([count, maxLength]);
  for (let s = 0; s < count; s++) {
    const length = minLength + rng.int(maxLength - minLength + 1);
    for (let t = 0; t < length; t++) {
      ids.data[s * maxLength + t] = rng.int(symbols);
      mask.data[s * maxLength + t] = 1;
    }
  }
  return { ids, mask };
}
