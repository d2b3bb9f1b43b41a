// Runs once before the fault-injection suite: nats-server and faultfs built or relinked, FUSE
// and redis-server installed if missing, and leftovers of earlier runs that were killed
// outright (faultfs mounts, network namespaces, by their names' pid) swept away.
import { ensureNatsServer, ensureRedisServer } from "../harness/binaries";
import { ensureFaultFs, sweepStaleMounts } from "../harness/faultfs";
import { sweepStaleNetns } from "../harness/netns";

export default async function setup(): Promise<void> {
  await Promise.all([ensureNatsServer(), ensureRedisServer(), ensureFaultFs()]);
  const swept = [...sweepStaleMounts(), ...sweepStaleNetns()];
  if (swept.length > 0) console.log(`[faults] swept leftovers of crashed runs: ${swept.join(", ")}`);
}
