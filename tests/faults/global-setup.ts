// Runs once before the fault-injection suite: nats-server and faultfs built or relinked, FUSE
// and redis-server installed if missing, and leftovers of earlier runs that were killed
// outright (faultfs mounts, network namespaces, by their names' pid) swept away.
import { ensureNatsServer, ensureRedisServer } from "../harness/binaries";
import { ensureFaultFs, faultsMounts, sweepStaleMounts } from "../harness/faultfs";
import { faultsNetns, sweepStaleNetns } from "../harness/netns";

export default async function setup(): Promise<() => void> {
  await Promise.all([ensureNatsServer(), ensureRedisServer(), ensureFaultFs()]);
  const swept = [...sweepStaleMounts(), ...sweepStaleNetns()];
  if (swept.length > 0)
    console.log(`[faults] swept leftovers of crashed runs: ${swept.join(", ")}`);
  const before = new Set([...faultsMounts(), ...faultsNetns()]);
  // After the suite, passed or failed: the test workers are gone. A worker's exit hooks may have
  // been cut short (vitest SIGKILLs a worker 500 ms after SIGTERM), so sweep the dead workers'
  // leftovers first; anything new of ours still there after that is a leak, and fails the run.
  return () => {
    const late = [...sweepStaleMounts(), ...sweepStaleNetns()];
    if (late.length > 0) console.log(`[faults] swept after the suite: ${late.join(", ")}`);
    const left = [...faultsMounts(), ...faultsNetns()].filter((x) => !before.has(x));
    if (left.length > 0) {
      throw new Error(`fault suite left behind: ${left.join(", ")}`);
    }
    console.log("[faults] no faultfs mount and no network namespace left behind");
  };
}
