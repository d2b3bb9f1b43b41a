// Runs once before the gateway suite: nats-server and vegeta built or relinked by
// scripts/tools.sh, redis-server installed if missing; a cold machine pays here, outside any
// test's timeout.
import { ensureNatsServer, ensureRedisServer } from "../harness/binaries";
import { ensureVegeta } from "../../load/vegeta";

export default async function setup(): Promise<void> {
  await Promise.all([ensureNatsServer(), ensureRedisServer(), ensureVegeta()]);
}
