/**
 * The baselines a character model must beat: unigram and bigram models with add-one (Laplace)
 * smoothing, counted on the training text and scored on a held-out text,
 *   unigram  p(c)     = (n(c) + 1) / (N + V)
 *   bigram   p(c | a) = (n(a c) + 1) / (n(a ·) + V)
 * in bits per character, −1/(M − 1) Σ_{t=1}^{M−1} log₂ p(c_t | c_{t−1}): the held-out positions
 * 1 … M − 1, the same ones CharLM.bitsPerChar scores (position 0 has no predecessor).
 */

export interface NgramBits {
  unigram: number;
  bigram: number;
}

export function ngramBitsPerChar(train: ArrayLike<number>, heldOut: ArrayLike<number>, vocabSize: number): NgramBits {
  const V = vocabSize;
  if (!Number.isInteger(V) || V < 1) throw new RangeError(`ngramBitsPerChar: vocabSize must be an integer >= 1; got ${V}`);
  if (heldOut.length < 2) throw new RangeError(`ngramBitsPerChar: the held-out text needs at least 2 characters; got ${heldOut.length}`);
  const unigram = new Float64Array(V);
  const bigram = new Float64Array(V * V);
  const follows = new Float64Array(V); // n(a ·): bigrams starting with a
  for (let t = 0; t < train.length; t++) {
    unigram[train[t]]++;
    if (t > 0) {
      bigram[train[t - 1] * V + train[t]]++;
      follows[train[t - 1]]++;
    }
  }
  let uni = 0;
  let bi = 0;
  for (let t = 1; t < heldOut.length; t++) {
    const a = heldOut[t - 1];
    const c = heldOut[t];
    uni -= Math.log2((unigram[c] + 1) / (train.length + V));
    bi -= Math.log2((bigram[a * V + c] + 1) / (follows[a] + V));
  }
  const m = heldOut.length - 1;
  return { unigram: uni / m, bigram: bi / m };
}
