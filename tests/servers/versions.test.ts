// The local servers are the versions the program deploys: nats-server exactly the image's
// version, redis-server the same major.minor as the image (Debian ships the 7.0 line).
import { describe, expect, it } from "vitest";
import {
  ensureNatsServer,
  ensureRedisServer,
  natsServerVersion,
  redisServerVersion,
} from "../harness";
import { IMAGES, NATS_VERSION, REDIS_VERSION } from "../../lib/versions";

const majorMinor = (v: string): string => v.split(".").slice(0, 2).join(".");

describe("real-server versions match the deployed images", () => {
  it(`nats-server --version is ${NATS_VERSION}, the version of the deployed image ${IMAGES.nats}`, async () => {
    const v = await natsServerVersion(await ensureNatsServer());
    expect(v).toBe(NATS_VERSION);
    expect(IMAGES.nats).toBe(`nats:${v}-alpine`);
  });

  it(`redis-server is ${majorMinor(REDIS_VERSION)}.x like the deployed image ${IMAGES.redis}`, async () => {
    const v = await redisServerVersion(await ensureRedisServer());
    expect(majorMinor(v)).toBe(majorMinor(REDIS_VERSION));
  });
});
