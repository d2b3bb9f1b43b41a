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
  // After the suite, passed or failed: the test workers are gone, so anything new of ours
  // still mounted or still a namespace is a leak, and fails the run.
  return () => {
    const left = [...faultsMounts(), ...faultsNetns()].filter((x) => !before.has(x));
    if (left.length > 0) {
      throw new Error(`fault suite left behind: ${left.join(", ")}`);
    }
    console.log("[faults] no faultfs mount and no network namespace left behind");
  };
}
