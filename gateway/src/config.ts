// Gateway configuration: one parse of the process environment into a typed, validated
// GatewayConfig. Bad input stops the process before it listens, with one line per problem naming
// the variable, its value (secrets hidden) and the rule.
import { z } from "zod";

/** Variables whose values never appear in an error, a log line or a response. */
export const SECRET_VARIABLES = new Set(["NATS_PASSWORD", "REDIS_PASSWORD"]);

const integer = (min: number, max: number, unit: string) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ error: `must be an integer ${unit}` })
      .int({ error: `must be an integer ${unit}` })
      .min(min, { error: `must be between ${min} and ${max} ${unit}` })
      .max(max, { error: `must be between ${min} and ${max} ${unit}` }),
  );

const port = integer(1, 65535, "(a TCP port)");
const ms = (min: number, max: number) => integer(min, max, "milliseconds");

/** A URL with one of `schemes` and no credentials in it (they come from their own variables). */
const url = (schemes: readonly string[]) =>
  z.string({ error: "is required" }).superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: `must be a URL such as ${schemes[0]}://host:port` });
      return;
    }
    if (!schemes.includes(u.protocol.replace(/:$/, "")))
      ctx.addIssue({ code: "custom", message: `must use the scheme ${schemes.join(" or ")}` });
    if (u.username || u.password)
      ctx.addIssue({
        code: "custom",
        message: "must not carry credentials (set them in their own variables)",
      });
    if (!u.hostname) ctx.addIssue({ code: "custom", message: "must name a host" });
  });

const nonEmpty = z.string({ error: "is required" }).min(1, { error: "must not be empty" });

const shape = z.object({
  GATEWAY_HOST: z.string().default("0.0.0.0"),
  GATEWAY_PORT: port.default(8080),
  METRICS_PORT: port.default(9464),
  /** Comma-separated server URLs: the client needs all of them (no_advertise hides the others). */
  NATS_URL: z
    .string({ error: "is required" })
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(url(["nats", "tls"])).min(1, { error: "must list at least one nats:// URL" })),
  NATS_USER: nonEmpty,
  NATS_PASSWORD: nonEmpty,
  REDIS_URL: url(["redis", "rediss"]),
  REDIS_PASSWORD: nonEmpty,
  HEALTH_NATS_TIMEOUT_MS: ms(10, 30_000).default(1_000),
  HEALTH_REDIS_TIMEOUT_MS: ms(10, 30_000).default(500),
  /** How long a finished check answers every request; bounds the calls to NATS and Redis. */
  HEALTH_CACHE_MS: ms(50, 60_000).default(1_000),
  /** Time the slowest client has to send its headers (slowloris). */
  HEADERS_TIMEOUT_MS: ms(100, 120_000).default(5_000),
  /** Time a whole request may take to arrive. */
  REQUEST_TIMEOUT_MS: ms(100, 300_000).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: ms(100, 300_000).default(65_000),
  MAX_HEADER_BYTES: integer(1_024, 65_536, "bytes").default(8_192),
  /** After SIGTERM: keep serving (readiness 503) while endpoints are withdrawn. */
  SHUTDOWN_DELAY_MS: ms(0, 120_000).default(5_000),
  /** After the delay: how long in-flight requests may take before sockets are cut. */
  SHUTDOWN_TIMEOUT_MS: ms(0, 120_000).default(10_000),
  GATEWAY_VERSION: z.string().optional(),
});

type Parsed = z.infer<typeof shape>;

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly nats: {
    readonly servers: readonly string[];
    readonly user: string;
    readonly password: string;
  };
  readonly redis: { readonly url: string; readonly password: string };
  readonly timeouts: {
    readonly natsMs: number;
    readonly redisMs: number;
    readonly headersMs: number;
    readonly requestMs: number;
    readonly keepAliveMs: number;
  };
  readonly cacheMs: number;
  readonly maxHeaderBytes: number;
  readonly shutdown: { readonly delayMs: number; readonly timeoutMs: number };
  /** Reported in /health/saas; GATEWAY_VERSION or the package version. */
  readonly version: string;
}

export class GatewayConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid gateway configuration:\n  ${problems.join("\n  ")}`);
    this.name = "GatewayConfigError";
  }
}

function shown(variable: string, value: string | undefined): string {
  if (value === undefined) return "(unset)";
  if (SECRET_VARIABLES.has(variable)) return "(secret, hidden)";
  // A URL that wrongly carries a password is shown with the password masked.
  return JSON.stringify(value.replace(/\/\/([^/@:]*):[^/@]*@/g, "//$1:***@"));
}

/**
 * Parses the environment. Throws GatewayConfigError listing every problem as
 * `VARIABLE = value: rule`.
 */
export function parseGatewayConfig(
  env: Readonly<Record<string, string | undefined>>,
  packageVersion: string,
): GatewayConfig {
  const result = shape.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "(environment)");
      return `${variable} = ${shown(variable, env[variable])}: ${issue.message}`;
    });
    throw new GatewayConfigError([...new Set(problems)]);
  }
  const c: Parsed = result.data;
  const cross: string[] = [];
  if (c.GATEWAY_PORT === c.METRICS_PORT)
    cross.push(`METRICS_PORT = ${c.METRICS_PORT}: must differ from GATEWAY_PORT`);
  if (c.HEADERS_TIMEOUT_MS > c.REQUEST_TIMEOUT_MS)
    cross.push(
      `HEADERS_TIMEOUT_MS = ${c.HEADERS_TIMEOUT_MS}: must not exceed REQUEST_TIMEOUT_MS (${c.REQUEST_TIMEOUT_MS})`,
    );
  if (cross.length > 0) throw new GatewayConfigError(cross);
  return {
    host: c.GATEWAY_HOST,
    port: c.GATEWAY_PORT,
    metricsPort: c.METRICS_PORT,
    nats: { servers: c.NATS_URL, user: c.NATS_USER, password: c.NATS_PASSWORD },
    redis: { url: c.REDIS_URL, password: c.REDIS_PASSWORD },
    timeouts: {
      natsMs: c.HEALTH_NATS_TIMEOUT_MS,
      redisMs: c.HEALTH_REDIS_TIMEOUT_MS,
      headersMs: c.HEADERS_TIMEOUT_MS,
      requestMs: c.REQUEST_TIMEOUT_MS,
      keepAliveMs: c.KEEP_ALIVE_TIMEOUT_MS,
    },
    cacheMs: c.HEALTH_CACHE_MS,
    maxHeaderBytes: c.MAX_HEADER_BYTES,
    shutdown: { delayMs: c.SHUTDOWN_DELAY_MS, timeoutMs: c.SHUTDOWN_TIMEOUT_MS },
    version: c.GATEWAY_VERSION ?? packageVersion,
  };
}
