// The load spec's schema: rate, duration, budgets, capacity search and regression factor, one
// file (load/spec.json) read by the k6 script and the local runners alike. Validated here for the
// local runners (errors name the key, the value and the rule); the k6 script only imports the type.
import { z } from "zod";

const positive = z.number({ error: "must be a number" }).positive({ error: "must be > 0" });
const ratio = z
  .number({ error: "must be a number" })
  .gt(0, { error: "must be a ratio in (0, 1]" })
  .lte(1, { error: "must be a ratio in (0, 1]" });
const int = (min: number) =>
  z
    .number({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(min, { error: `must be an integer >= ${min}` });

export const loadSpecSchema = z.object({
  description: z.string().optional(),
  /** Path under BASE_URL that is driven. */
  path: z.string().startsWith("/", { error: "must start with /" }),
  /** Requests per second (open model: arrivals do not wait for responses). */
  rate: int(1),
  durationS: int(1),
  /** Per-request timeout; a request past it counts as failed. */
  timeoutMs: int(1),
  vus: z
    .object({ preAllocated: int(1), max: int(1) })
    .refine((v) => v.max >= v.preAllocated, { error: "max must be >= preAllocated" }),
  budgets: z.object({
    p95Ms: positive,
    /** Failed requests must stay below this rate. */
    errorRate: ratio,
    /** k6 checks must pass above this rate. */
    checksRate: ratio,
    /** Iterations k6 could not start on time (a run that cannot hold the rate fails). */
    droppedIterations: int(0),
    /** Achieved rate / target (the local runner's equivalent of dropped iterations). */
    minAchievedRatio: ratio,
  }),
  capacity: z
    .object({
      p95Ms: positive,
      errorRate: ratio,
      minAchievedRatio: ratio,
      stepDurationS: int(1),
      startRate: int(1),
      /** Rate multiplier between steps until one fails. */
      growth: z.number().gt(1, { error: "must be > 1" }),
      maxRate: int(1),
      /** Bisection steps between the last passing and the first failing rate. */
      refineSteps: int(0),
      /** Goal: capacity >= this share of the bare ceiling. */
      goalRatioOfCeiling: ratio,
      /**
       * Connections (and so requests in flight) the driver may open. Unbounded, an overloaded
       * step opens one per late request until ports and descriptors run out, and the next steps
       * measure that wreckage instead of the server. A server that needs more than this to hold a
       * rate fails the step on achieved rate, as it should.
       */
      maxConnections: int(1),
      /** A failed step is run again this many times; it passes if a retry passes. */
      retryFailed: int(0),
      /** Pause after each step so sockets and queues left by it drain before the next one. */
      settleS: z.number().min(0, { error: "must be >= 0" }),
    })
    .refine((c) => c.maxRate >= c.startRate, { error: "maxRate must be >= startRate" }),
  regression: z.object({
    /** A run fails when its p95 exceeds the baseline's p95 × this factor... */
    p95Factor: z.number().gt(1, { error: "must be > 1" }),
    /** ...where a baseline p95 below this floor counts as the floor (sub-ms noise). */
    p95FloorMs: z.number().min(0, { error: "must be >= 0" }),
  }),
});

export type LoadSpec = z.infer<typeof loadSpecSchema>;

export class LoadSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid load spec:\n  ${problems.join("\n  ")}`);
    this.name = "LoadSpecError";
  }
}

/** Validates a parsed spec; throws LoadSpecError listing `key = value: rule` per problem. */
export function parseLoadSpec(raw: unknown): LoadSpec {
  const r = loadSpecSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new LoadSpecError(
    r.error.issues.map((i) => {
      const key = i.path.join(".") || "(spec)";
      let value: unknown = raw;
      for (const p of i.path)
        value =
          value && typeof value === "object"
            ? (value as Record<PropertyKey, unknown>)[p]
            : undefined;
      return `${key} = ${value === undefined ? "(missing)" : JSON.stringify(value)}: ${i.message}`;
    }),
  );
}
