// The gateway as a real process (node + tsx, the same entry point the image runs compiled), wired
// to a real data tier: the NATS cluster's gateway client user and the Redis password. Used by
// tests/gateway and by the load runners. Also the dependency-call counters read from the servers
// themselves (Redis INFO commandstats, NATS /jsz API totals).
import { join } from "node:path";
import { NATS_CLIENT_USERS } from "../../lib/nats";
import { REPO_ROOT } from "./binaries";
import type { DataTier } from "./data-tier";
import { freePorts, LOOPBACK } from "./ports";
import { ManagedProcess, makeTempDir, removeTempDir, waitFor } from "./process";

/** The NATS client user the gateway connects as (lib/nats's client users). */
export const GATEWAY_NATS_USER: (typeof NATS_CLIENT_USERS)[number] = "gateway";

export const GATEWAY_MAIN = join(REPO_ROOT, "gateway", "src", "main.ts");

export interface GatewayProcessOptions {
  /** Extra or overriding environment (timeouts, cache interval...). */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 60000 */
  readonly startTimeoutMs?: number;
}

export class GatewayProcess {
  private constructor(
    readonly proc: ManagedProcess,
    readonly port: number,
    readonly metricsPort: number,
    private readonly dir: string,
  ) {}

  /** Environment that points a gateway at `tier` (secrets included: never log it). */
  static tierEnv(tier: DataTier): Record<string, string> {
    return {
      NATS_URL: tier.nats.clientUrls().join(","),
      NATS_USER: GATEWAY_NATS_USER,
      NATS_PASSWORD: tier.nats.passwords[GATEWAY_NATS_USER] as string,
      REDIS_URL: tier.redis.url,
      REDIS_PASSWORD: tier.redis.password,
    };
  }

  static async start(tier: DataTier, o: GatewayProcessOptions = {}): Promise<GatewayProcess> {
    const [port, metricsPort] = (await freePorts(2)) as [number, number];
    const dir = makeTempDir("kgents-gateway");
    const proc = ManagedProcess.start(
      "gateway",
      process.execPath,
      ["--import", "tsx", GATEWAY_MAIN],
      {
        cwd: REPO_ROOT,
        logFile: join(dir, "gateway.log"),
        env: {
          ...GatewayProcess.tierEnv(tier),
          GATEWAY_HOST: LOOPBACK,
          GATEWAY_PORT: String(port),
          METRICS_PORT: String(metricsPort),
          SHUTDOWN_DELAY_MS: "0",
          ...o.env,
        },
      },
    );
    const g = new GatewayProcess(proc, port, metricsPort, dir);
    try {
      await waitFor("gateway /readyz 200", async () => (await g.get("/readyz")).status === 200, {
        timeoutMs: o.startTimeoutMs ?? 60_000,
        intervalMs: 200,
        proc,
      });
    } catch (e) {
      await g.close();
      throw e;
    }
    return g;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  get metricsUrl(): string {
    return `http://${LOOPBACK}:${this.metricsPort}`;
  }

  /** GET on the public port with a deadline; body as text. */
  async get(
    path: string,
    timeoutMs = 5_000,
  ): Promise<{ status: number; body: string; headers: Headers }> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text(), headers: res.headers };
  }

  /** The Prometheus exposition of the metrics port. */
  async metrics(): Promise<string> {
    const res = await fetch(`${this.metricsUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}`);
    return res.text();
  }

  output(): string {
    return this.proc.output();
  }

  /** SIGTERM (graceful drain), SIGKILL after `graceMs`; removes the temp dir. */
  async close(graceMs = 15_000): Promise<void> {
    await this.proc.stop(graceMs);
    removeTempDir(this.dir);
  }
}

/** Sum of a counter's samples in a Prometheus exposition whose labels match `labels`. */
export function metricValue(
  exposition: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const kv of (m[3] ?? "").matchAll(/(\w+)="([^"]*)"/g))
      got[kv[1] as string] = kv[2] as string;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

export interface DependencyCalls {
  readonly redisPings: number;
  readonly jetstreamApiCalls: number;
}

/** Calls served so far, counted by the servers (a JetStream API request is served once). */
export async function dependencyCalls(tier: DataTier): Promise<DependencyCalls> {
  const c = await tier.redis.client();
  const info = await c.info("commandstats").finally(() => c.destroy());
  const redisPings = Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0);
  let jetstreamApiCalls = 0;
  for (const n of tier.nats.nodes) {
    const jsz = await tier.nats.monitor<{ api?: { total?: number } }>(n.ordinal, "jsz");
    jetstreamApiCalls += jsz.api?.total ?? 0;
  }
  return { redisPings, jetstreamApiCalls };
}
