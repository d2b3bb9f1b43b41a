// The whole data tier in one call — NATS cluster and Redis, both with a stack's generated
// config — for anything that needs both at once (real-server tests, load runners).
import { NatsCluster } from "./nats-cluster";
import { RedisServer } from "./redis-server";
import type { StackName } from "../support/stack-files";

export interface DataTier {
  readonly nats: NatsCluster;
  readonly redis: RedisServer;
  /** Stops both and removes their temp dirs. */
  close(): Promise<void>;
}

export async function startDataTier(o: { readonly stack?: StackName } = {}): Promise<DataTier> {
  const stack = o.stack ?? "dev";
  const [nats, redis] = await Promise.allSettled([
    NatsCluster.start({ stack }),
    RedisServer.start({ stack }),
  ]);
  if (nats.status === "rejected" || redis.status === "rejected") {
    // Whichever came up goes down again; the first failure is the one reported.
    if (nats.status === "fulfilled") await nats.value.close();
    if (redis.status === "fulfilled") await redis.value.close();
    throw nats.status === "rejected" ? nats.reason : (redis as PromiseRejectedResult).reason;
  }
  return {
    nats: nats.value,
    redis: redis.value,
    close: async () => {
      await Promise.all([nats.value.close(), redis.value.close()]);
    },
  };
}
