// The generated redis.conf on a real redis-server: an idempotency store that refuses anonymous
// clients and destructive admin commands, never evicts a key when full (a SET fails instead),
// and with the prod config (AOF everysec) keeps acknowledged writes across a kill -9.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisClient, RedisServer, sleep } from "../harness";
import { REDIS_DISABLED_COMMANDS } from "../../lib/redis";

const errorOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    (v) => `no error (got ${JSON.stringify(v)})`,
    (e: Error) => e.message,
  );

/** INFO <section> as key → value. */
async function info(c: RedisClient, section: string): Promise<Record<string, string>> {
  const text = await c.info(section);
  return Object.fromEntries(
    text
      .split("\r\n")
      .filter((l) => l.includes(":") && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
  );
}

describe("Redis with the dev stack's generated config", () => {
  let redis: RedisServer;
  let client: RedisClient;

  beforeAll(async () => {
    redis = await RedisServer.start({ stack: "dev" });
    client = await redis.client();
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await redis?.close();
  });

  it("rejects every command without the password (NOAUTH) and a wrong password (WRONGPASS)", async () => {
    // A bare connection, as any pod in an allowed namespace could open.
    expect(await redis.raw(["SET", "idem:anon", "1"])).toMatch(/^-NOAUTH /);
    expect(await redis.raw(["GET", "idem:anon"])).toMatch(/^-NOAUTH /);
    expect(await redis.raw(["PING"])).toMatch(/^-NOAUTH /);
    expect(await redis.raw(["AUTH", "not-the-password"])).toMatch(/^-WRONGPASS /);
    expect(await redis.raw(["AUTH", redis.password])).toBe("+OK");
    expect(await client.exists("idem:anon")).toBe(0);
    expect(await client.ping()).toBe("PONG");
  });

  it.each(REDIS_DISABLED_COMMANDS)(
    "%s is disabled even for the authenticated client",
    async (cmd) => {
      await client.set("idem:survives-admin", "1");
      const args = cmd === "CONFIG" ? ["CONFIG", "GET", "maxmemory"] : [cmd];
      expect(await errorOf(client.sendCommand(args))).toMatch(/^ERR unknown command/);
      expect(await client.get("idem:survives-admin")).toBe("1");
    },
  );

  it("the deployed readiness probe passes with REDISCLI_AUTH from the Secret, and only with it", async () => {
    expect(await redis.readinessProbe()).toBe(true);
    expect(await redis.readinessProbe({ withAuthEnv: false })).toBe(false);
  });

  it("at maxmemory (noeviction) a new SET fails with OOM and no existing key is evicted", async () => {
    const mem = await info(client, "memory");
    // The deployed limit itself (75% of the dev memory limit), not a test value.
    expect(Number(mem.maxmemory)).toBe(redis.deployed.maxMemoryBytes);
    expect(mem.maxmemory_policy).toBe("noeviction");

    const value = "x".repeat(1 << 20); // 1 MiB per key: ~maxmemory/1MiB SETs fill it
    const limit = Math.ceil(redis.deployed.maxMemoryBytes / (1 << 20)) + 50;
    const written: string[] = [];
    let oom = "";
    for (let i = 0; i < limit; i++) {
      const key = `idem:fill:${i}`;
      const err = await errorOf(client.set(key, value));
      if (err.startsWith("no error")) {
        written.push(key);
      } else {
        oom = err;
        break;
      }
    }
    console.log(
      `[redis oom] maxmemory ${redis.deployed.maxMemoryBytes} B: ${written.length} x 1 MiB keys stored, then: ${oom}`,
    );
    expect(oom).toMatch(/^OOM command not allowed when used memory > 'maxmemory'/);
    expect(written.length).toBeGreaterThan(10);

    // Every key stored before the OOM is still there, whole; nothing was evicted.
    expect(await client.exists(written)).toBe(written.length);
    const sample = [
      written[0],
      written[Math.floor(written.length / 2)],
      written.at(-1),
    ] as string[];
    for (const k of sample) expect(await client.strLen(k)).toBe(value.length);
    expect((await info(client, "stats")).evicted_keys).toBe("0");
    // Reads keep working at the limit; deletes free room for new writes.
    expect(await client.get("idem:survives-admin")).toBe("1");
    await client.del(written.slice(0, 5));
    expect(await client.set("idem:after-del", "1")).toBe("OK");
  });
});

describe("Redis with the prod stack's generated config (AOF, fsync everysec)", () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start({ stack: "prod" });
  });

  afterAll(async () => {
    await redis?.close();
  });

  it("keeps every write acknowledged more than 1 s before a kill -9 (loss window measured)", async () => {
    expect(redis.deployed.appendOnly).toBe(true);
    const client = await redis.client();
    const ackedAt: number[] = []; // index = key number, value = ack time (ms)
    const runMs = 3_000;
    let killAt = 0;
    try {
      expect((await info(client, "persistence")).aof_enabled).toBe("1");
      const until = Date.now() + runMs;
      // Writes in flight when the process dies: each key is written after the previous ack.
      const writer = (async () => {
        for (let i = 0; i < 1_000_000 && Date.now() < until + 1_000; i++) {
          try {
            await client.set(`idem:aof:${i}`, String(i));
          } catch {
            return;
          }
          ackedAt.push(Date.now());
        }
      })();
      await sleep(runMs);
      killAt = Date.now();
      await redis.kill9();
      await writer;
    } finally {
      await client.close().catch(() => undefined);
    }
    const restartMs = await redis.startProcess();
    const after = await redis.client();
    try {
      const present: boolean[] = [];
      const batch = 1_000;
      for (let i = 0; i < ackedAt.length; i += batch) {
        const keys = Array.from(
          { length: Math.min(batch, ackedAt.length - i) },
          (_, j) => `idem:aof:${i + j}`,
        );
        const values = await after.mGet(keys);
        values.forEach((v, j) => present.push(v === String(i + j)));
      }
      const missing = present.flatMap((ok, i) => (ok ? [] : [i]));
      const oldestMissingAge = missing.length
        ? killAt - (ackedAt[missing[0] as number] as number)
        : 0;
      const lastSecond = ackedAt.filter((t) => t > killAt - 1_000).length;
      console.log(
        `[redis aof] ${ackedAt.length} writes acked in ${runMs} ms, kill -9, restart (AOF load) ${restartMs} ms; ` +
          `${missing.length} acked writes missing; loss window ${oldestMissingAge} ms ` +
          `(writes acked in the last second before the kill: ${lastSecond})`,
      );
      expect(ackedAt.length).toBeGreaterThan(1_000);
      // The contract of appendfsync everysec: at most the last ~1 s of acknowledged writes.
      expect(oldestMissingAge).toBeLessThanOrEqual(1_000);
      const olderThan1s = present.filter(
        (ok, i) => !ok && (ackedAt[i] as number) <= killAt - 1_000,
      );
      expect(olderThan1s).toEqual([]);
    } finally {
      await after.close().catch(() => undefined);
    }
  });
});
