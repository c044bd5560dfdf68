/**
 * Learning-rate schedules: the rate for an epoch (0-based) from the initial rate η0.
 *   step         η0 · factor^⌊epoch / every⌋
 *   exponential  η0 · decay^epoch
 *   cosine       ηmin + ½(η0 − ηmin)(1 + cos(π · epoch / epochs))   (held at ηmin after `epochs`)
 * or any function (epoch, η0) => η (not saved with the model).
 */
export type ScheduleSpec =
  | { type: "step"; every: number; factor: number }
  | { type: "exponential"; decay: number }
  | { type: "cosine"; epochs: number; minLearningRate?: number };

export type ScheduleFn = (epoch: number, initialLearningRate: number) => number;
export type Schedule = ScheduleSpec | ScheduleFn;

export function assertSchedule(s: Schedule, where: string): Schedule {
  if (typeof s === "function") return s;
  const bad = (option: string, range: string, got: unknown): never => {
    throw new RangeError(`${where}: schedule.${option} must be ${range}; got ${JSON.stringify(got)}`);
  };
  switch (s?.type) {
    case "step":
      if (!(Number.isInteger(s.every) && s.every >= 1)) bad("every", "an integer >= 1", s.every);
      if (!(s.factor > 0)) bad("factor", "a number > 0", s.factor);
      return s;
    case "exponential":
      if (!(s.decay > 0)) bad("decay", "a number > 0", s.decay);
      return s;
    case "cosine":
      if (!(Number.isInteger(s.epochs) && s.epochs >= 1)) bad("epochs", "an integer >= 1", s.epochs);
      if (s.minLearningRate !== undefined && !(s.minLearningRate >= 0)) bad("minLearningRate", "a number >= 0", s.minLearningRate);
      return s;
    default:
      throw new RangeError(
        `${where}: schedule.type must be one of step, exponential, cosine (or pass a function); got ${JSON.stringify((s as { type?: unknown })?.type)}`,
      );
  }
}

export function scheduledRate(s: Schedule, epoch: number, initial: number): number {
  if (typeof s === "function") return s(epoch, initial);
  switch (s.type) {
    case "step":
      return initial * s.factor ** Math.floor(epoch / s.every);
    case "exponential":
      return initial * s.decay ** epoch;
    case "cosine": {
      const min = s.minLearningRate ?? 0;
      const progress = Math.min(epoch, s.epochs) / s.epochs;
      return min + 0.5 * (initial - min) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
