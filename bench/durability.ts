// Benchmark: what durability costs. Acknowledged publishes per second to an R3 JetStream
// stream with sync_interval always (the deployed default) and with nats-server's own lazy
// default (2m), and acknowledged Redis SETs per second with appendfsync everysec and always;
// each on this machine's real disk (no faultfs), both variants running side by side and
// measured in alternating rounds in one run. Two client shapes: one request in flight (the
// latency an agent waiting for its ack sees) and a window of concurrent requests (throughput).
// Prints medians and saves every sample to bench/results/durability.json.
//   npm run bench:durability [-- rounds [seconds-per-sample]]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { NATS_DEFAULT_SYNC_INTERVAL } from "../lib/config";
import {
  ensureStream,
  NatsCluster,
  natsServerVersion,
  ensureNatsServer,
  RedisServer,
  redisServerVersion,
  ensureRedisServer,
  REPO_ROOT,
  waitStreamCurrent,
} from "../tests/harness";

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 2);
/** Requests in flight in the windowed shape. */
const WINDOW = 32;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Runs `op` with `inFlight` concurrent loops for `ms`; returns completed ops per second. */
async function rate(
  op: (i: number) => Promise<unknown>,
  inFlight: number,
  ms: number,
): Promise<number> {
  let done = 0;
  let next = 0;
  const until = Date.now() + ms;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < until) {
        await op(next++);
        done++;
      }
    }),
  );
  return done / ((Date.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const [natsBin, redisBin] = await Promise.all([ensureNatsServer(), ensureRedisServer()]);
  const samples: Record<string, number[]> = {};
  const add = (label: string, v: number): void => {
    (samples[label] ??= []).push(v);
    console.log(`${label.padEnd(44)} ${v.toFixed(0)}/s`);
  };

  const nats = {
    always: await NatsCluster.start({ stack: "prod", config: { natsSyncInterval: "always" } }),
    lazy: await NatsCluster.start({
      stack: "prod",
      config: { natsSyncInterval: NATS_DEFAULT_SYNC_INTERVAL },
    }),
  };
  const redis = {
    everysec: await RedisServer.start({ stack: "prod", override: { appendFsync: "everysec" } }),
    always: await RedisServer.start({ stack: "prod", override: { appendFsync: "always" } }),
  };
  try {
    const js: Record<string, ReturnType<typeof jetstream>> = {};
    for (const [name, c] of Object.entries(nats)) {
      const nc = await c.connect();
      await ensureStream(nc, "BENCH", "bench.>", 3);
      await waitStreamCurrent(await jetstreamManager(nc), "BENCH", 3);
      js[name] = jetstream(nc, { timeout: 10_000 });
    }
    const rc = {
      everysec: await redis.everysec.client(),
      always: await redis.always.client(),
    };
    const payload = "x".repeat(256);
    for (let r = 0; r < rounds; r++) {
      console.log(`-- round ${r + 1}/${rounds}`);
      for (const [shape, inFlight] of [
        ["1 in flight", 1],
        [`${WINDOW} in flight`, WINDOW],
      ] as const) {
        for (const name of ["always", "lazy"] as const) {
          const label = `nats R3 sync_interval ${name === "always" ? "always" : NATS_DEFAULT_SYNC_INTERVAL}, ${shape}`;
          const client = js[name] as ReturnType<typeof jetstream>;
          add(
            label,
            await rate(() => client.publish("bench.x", payload), inFlight, seconds * 1000),
          );
        }
        for (const name of ["everysec", "always"] as const) {
          const client = rc[name];
          add(
            `redis appendfsync ${name}, ${shape}`,
            await rate((i) => client.set(`idem:${r}:${i}`, payload), inFlight, seconds * 1000),
          );
        }
      }
    }
    for (const c of Object.values(rc)) c.destroy();

    const medians = Object.fromEntries(
      Object.entries(samples).map(([k, v]) => [k, Math.round(median(v))]),
    );
    console.log("\nmedians (acknowledged operations per second):");
    for (const [k, v] of Object.entries(medians)) console.log(`  ${k.padEnd(44)} ${v}/s`);
    const out = {
      benchmark: "durability",
      date: new Date().toISOString(),
      machine: "2 cores shared, ext4 on a virtual disk",
      nats: { version: await natsServerVersion(natsBin), replicas: 3, payloadBytes: 256 },
      redis: { version: await redisServerVersion(redisBin), payloadBytes: 256 },
      rounds,
      secondsPerSample: seconds,
      window: WINDOW,
      unit: "acknowledged operations per second",
      medians,
      samples,
    };
    const dir = join(REPO_ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "durability.json"), `${JSON.stringify(out, null, 2)}\n`);
    console.log("saved bench/results/durability.json");
  } finally {
    await Promise.all([...Object.values(nats), ...Object.values(redis)].map((s) => s.close()));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
