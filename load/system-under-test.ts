// What the local runners drive: the real data tier (NATS JetStream cluster + Redis with the
// stack's generated config) and the gateway process, plus the dependency-call counters read from
// the servers themselves (Redis INFO commandstats, NATS /jsz API totals).
import { startDataTier, type DataTier } from "../tests/harness/data-tier";
import { GatewayProcess, metricValue } from "../tests/harness/gateway-process";
export { dependencyCalls } from "../tests/harness/gateway-process";
import type { StackName } from "../tests/support/stack-files";

/** The gateway's result cache interval in these runs (its default, stated). */
export const GATEWAY_CACHE_MS = 1_000;

export interface SystemUnderTest {
  readonly tier: DataTier;
  readonly gateway: GatewayProcess;
  /** PIDs of every server process (gateway, NATS, Redis) for CPU accounting. */
  pids(): (number | undefined)[];
  close(): Promise<void>;
}

export async function startSystemUnderTest(stack: StackName): Promise<SystemUnderTest> {
  const tier = await startDataTier({ stack });
  let gateway: GatewayProcess;
  try {
    gateway = await GatewayProcess.start(tier, {
      env: { HEALTH_CACHE_MS: String(GATEWAY_CACHE_MS) },
    });
  } catch (e) {
    await tier.close();
    throw e;
  }
  return {
    tier,
    gateway,
    pids: () => [gateway.proc.pid, tier.redis.pid, ...tier.nats.nodes.map((n) => n.proc?.pid)],
    close: async () => {
      await gateway.close();
      await tier.close();
    },
  };
}

/** Requests the gateway has answered on /health/saas (by status class), from its metrics. */
export async function gatewayAnswered(
  g: GatewayProcess,
): Promise<{ total: number; non200: number }> {
  const m = await g.metrics();
  const total = metricValue(m, "gateway_http_requests_total", { route: "/health/saas" });
  const ok = metricValue(m, "gateway_http_requests_total", { route: "/health/saas", code: "200" });
  return { total, non200: total - ok };
}
