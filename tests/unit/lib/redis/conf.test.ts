// redis.conf and its auth include (lib/redis/conf.ts): maxmemory, eviction policy, disabled
// commands, persistence, the password kept out of the config file.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../lib/config";
import { redisConfInputs, renderRedisAuth, renderRedisConf } from "../../../../lib/redis";
import { stackConfig } from "../../../support/stack-files";

describe("redis.conf", () => {
  const dev = renderRedisConf(redisConfInputs(parseStackConfig(stackConfig("dev"))));
  const prod = renderRedisConf(redisConfInputs(parseStackConfig(stackConfig("prod"))));

  it("caps memory at 75% of the limit and never evicts an idempotency key", () => {
    expect(dev).toMatch(/^maxmemory 201326592$/m);
    expect(dev).toMatch(/^maxmemory-policy noeviction$/m);
  });

  it("disables FLUSHALL, FLUSHDB and CONFIG", () => {
    for (const cmd of ["FLUSHALL", "FLUSHDB", "CONFIG"])
      expect(dev).toContain(`rename-command ${cmd} ""`);
  });

  it("takes the password from the secret include, not inline", () => {
    expect(dev).toMatch(/^include \/etc\/redis\/auth.conf$/m);
    expect(dev).not.toMatch(/requirepass/);
    expect(renderRedisAuth("abc123")).toBe('requirepass "abc123"\n');
    expect(() => renderRedisAuth('a "b')).toThrow();
  });

  it("writes an AOF in prod only, with the fsync policy chosen from the durability figures", () => {
    expect(prod).toMatch(/^appendonly yes$/m);
    expect(prod).toMatch(/^appendfsync always$/m);
    expect(dev).toMatch(/^appendonly no$/m);
  });

  it.each(["everysec", "always"] as const)("writes appendfsync %s when configured", (fsync) => {
    const conf = renderRedisConf(
      redisConfInputs({ redisMemory: "256Mi", redisAppendOnly: true, redisAppendFsync: fsync }),
    );
    expect(conf).toMatch(new RegExp(`^appendfsync ${fsync}$`, "m"));
  });
});
