// A server given a broken config fails at start with its own error, and the harness reports it
// (server name, exit status, the server's own words) instead of timing out on a health check.
// Configs the program would refuse never get this far: tests/unit covers that validation.
import { describe, expect, it } from "vitest";
import { NatsCluster, RedisServer, ServerStartError } from "../harness";
import { natsPasswordEnv, NATS_CLIENT_USERS } from "../../lib/nats";

async function startError(p: Promise<{ close(): Promise<void> }>): Promise<ServerStartError> {
  const r = await p.then(
    async (s) => {
      await s.close();
      return new Error("started, but should have failed");
    },
    (e: unknown) => e,
  );
  if (!(r instanceof ServerStartError)) throw r;
  return r;
}

describe("a broken config stops the server at start, reported with its own error", () => {
  it("nats-server without a password variable (Secret key not mounted) names the variable", async () => {
    const missing = natsPasswordEnv(NATS_CLIENT_USERS[0]);
    const t0 = Date.now();
    const err = await startError(NatsCluster.start({ omitEnv: [missing] }));
    console.log(`[broken nats env] reported in ${Date.now() - t0} ms:\n${err.message}`);
    expect(err.server).toMatch(/^nats-\d$/);
    expect(err.reason).toMatch(/^exited \(code 1/);
    expect(err.output).toContain(`variable reference for '${missing}'`);
    expect(err.message).toContain(err.output.trim());
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("nats-server with a syntax error reports its parser's line and message", async () => {
    const err = await startError(
      NatsCluster.start({ editConf: (conf) => conf.replace(/^jetstream \{$/m, "jetstream {{") }),
    );
    console.log(`[broken nats syntax]\n${err.message}`);
    expect(err.reason).toMatch(/^exited \(code 1/);
    expect(err.output).toMatch(/^nats-server: Parse error on line \d+: .+/m);
  });

  it("redis-server with an invalid directive reports its FATAL CONFIG FILE ERROR", async () => {
    const err = await startError(
      RedisServer.start({
        editConf: (conf) =>
          conf.replace("maxmemory-policy noeviction", "maxmemory-policy evict-all"),
      }),
    );
    console.log(`[broken redis]\n${err.message}`);
    expect(err.server).toBe("redis-0");
    expect(err.reason).toMatch(/^exited \(code 1/);
    expect(err.output).toContain("FATAL CONFIG FILE ERROR");
    expect(err.output).toContain("maxmemory-policy evict-all");
  });

  it("redis-server whose auth include is missing (Secret not mounted) names the file", async () => {
    const err = await startError(
      RedisServer.start({
        editConf: (conf) => conf.replace(/^include (.*)$/m, "include $1.missing"),
      }),
    );
    console.log(`[broken redis include]\n${err.message}`);
    expect(err.reason).toMatch(/^exited \(code 1/);
    expect(err.output).toMatch(/auth\.conf\.missing/);
  });
});
