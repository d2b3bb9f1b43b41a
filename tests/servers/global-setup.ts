// Runs once before the servers suites: builds or relinks nats-server (scripts/tools.sh nats) and
// installs redis-server if missing (scripts/ensure-redis.sh). A cold machine pays for the build
// here, outside any test's timeout, and a missing toolchain fails once, clearly.
import { ensureNatsServer, ensureRedisServer } from "../harness/binaries";

export default async function setup(): Promise<void> {
  await Promise.all([ensureNatsServer(), ensureRedisServer()]);
}
