// Boltzmann machines: stochastic units with hidden units, exact and sampled learning.

export type {
  BoltzmannFitOptions,
  BoltzmannFitResult,
  BoltzmannGradient,
  BoltzmannMachineOptions,
  GibbsSamplingOptions,
  SampledGradientOptions,
} from "./boltzmann.js";
export { BoltzmannMachine } from "./boltzmann.js";
export {
  boltzmannDistribution,
  empiricalDistribution,
  enumerateEnergies,
  klDivergence,
  MAX_ENUMERATED_UNITS,
  marginalizeHidden,
  pairStatistics,
  totalVariation,
} from "./exact.js";
