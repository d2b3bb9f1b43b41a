// faultfs mounts for the fault-injection suite: a server's data directory on tools/src/faultfs,
// whose "power-loss" throws away what was not fsynced. Every mount is named after this run
// (`kgents-faults-<pid>-…`), unmounted by close(), by the process exit hooks, and by the sweep
// of a later run if this one was killed outright.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./binaries";
import { makeTempDir, ManagedProcess, onCleanup, waitFor } from "./process";

const run = promisify(execFile);

/** Prefix of every temp dir (hence every mount point) of this suite; the pid follows. */
export const FAULTS_PREFIX = "kgents-faults";

let faultfsBin: Promise<string> | undefined;

/** bin/faultfs (scripts/tools.sh faultfs), with FUSE ready (scripts/ensure-fuse.sh). */
export function ensureFaultFs(): Promise<string> {
  faultfsBin ??= (async () => {
    const opts = { cwd: REPO_ROOT, timeout: 15 * 60_000, maxBuffer: 16 << 20 };
    await run("bash", ["scripts/ensure-fuse.sh"], opts);
    await run("bash", ["scripts/tools.sh", "faultfs"], opts);
    const bin = join(REPO_ROOT, "bin", "faultfs");
    if (!existsSync(bin)) throw new Error(`scripts/tools.sh faultfs did not produce ${bin}`);
    return bin;
  })();
  return faultfsBin;
}

/** A temp dir for one fault test, named so leftovers can be traced to their run. */
export function faultsTempDir(what: string): string {
  return makeTempDir(`${FAULTS_PREFIX}-${process.pid}-${what}`);
}

interface MountInfo {
  readonly mountPoint: string;
  readonly fsType: string;
}

/** Mounts of this machine (from /proc/self/mountinfo). */
export function mounts(): MountInfo[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [pre, post] = line.split(" - ");
      const mountPoint = (pre?.split(" ")[4] ?? "").replace(/\\040/g, " ");
      return { mountPoint, fsType: post?.split(" ")[0] ?? "" };
    });
}

/** faultfs mounts left by any run of this suite (ours included). */
export function faultsMounts(pid?: number): string[] {
  const tag = pid === undefined ? `/${FAULTS_PREFIX}-` : `/${FAULTS_PREFIX}-${pid}-`;
  return mounts()
    .filter((m) => m.fsType === "fuse.faultfs" && m.mountPoint.includes(tag))
    .map((m) => m.mountPoint);
}

function unmountSync(mnt: string): void {
  for (const argv of [
    ["fusermount3", "-u", "-z", mnt],
    ["umount", "-l", mnt],
  ]) {
    try {
      execFileSync(argv[0] as string, argv.slice(1), { stdio: "ignore", timeout: 10_000 });
      return;
    } catch {
      // try the next way
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Unmounts faultfs mounts of earlier runs whose process is gone; returns what it unmounted. */
export function sweepStaleMounts(): string[] {
  const swept: string[] = [];
  for (const mnt of faultsMounts()) {
    const m = new RegExp(`/${FAULTS_PREFIX}-(\\d+)-`).exec(mnt);
    const pid = Number(m?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) {
      unmountSync(mnt);
      swept.push(mnt);
    }
  }
  return swept;
}

/** One faultfs mount: `mountPoint` shows `backing`, minus what a power loss throws away. */
export class FaultFs {
  private proc: ManagedProcess | undefined;
  private readonly unregister: () => void;

  private constructor(
    readonly name: string,
    readonly backing: string,
    readonly mountPoint: string,
    private readonly control: string,
    private readonly bin: string,
  ) {
    this.unregister = onCleanup(() => unmountSync(this.mountPoint));
  }

  /** Mounts a new faultfs under `dir`: `<dir>/backing` shown at `<dir>/mnt`. */
  static async mount(name: string, dir: string): Promise<FaultFs> {
    const bin = await ensureFaultFs();
    const backing = join(dir, "backing");
    const mnt = join(dir, "mnt");
    mkdirSync(backing, { recursive: true });
    mkdirSync(mnt, { recursive: true });
    const fs = new FaultFs(name, backing, mnt, join(dir, "control.sock"), bin);
    await fs.start();
    return fs;
  }

  private async start(): Promise<void> {
    const proc = ManagedProcess.start(`faultfs ${this.name}`, this.bin, [
      "-backing",
      this.backing,
      "-mount",
      this.mountPoint,
      "-control",
      this.control,
    ]);
    this.proc = proc;
    await waitFor(
      `faultfs ${this.name} ready`,
      () => Promise.resolve(proc.output().includes("ready")),
      {
        timeoutMs: 10_000,
        intervalMs: 20,
        proc,
      },
    );
  }

  get mounted(): boolean {
    return faultsMounts().includes(this.mountPoint);
  }

  private command(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = connect(this.control);
      let buf = "";
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`faultfs ${this.name}: no reply to ${cmd}\n${this.proc?.output() ?? ""}`));
      }, 30_000);
      sock.on("connect", () => sock.write(`${cmd}\n`));
      sock.on("data", (d) => (buf += d.toString("utf8")));
      sock.on("close", () => {
        clearTimeout(timer);
        const line = buf.trim();
        if (line.startsWith("ok")) resolve(line);
        else reject(new Error(`faultfs ${this.name} ${cmd}: ${line || "(no reply)"}`));
      });
      sock.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** What a power loss would throw away now ("ok files=… bytes=… dirs=…"). */
  stats(): Promise<string> {
    return this.command("stats");
  }

  /** Everything written so far becomes durable (sync(2)). */
  sync(): Promise<string> {
    return this.command("sync");
  }

  /**
   * The machine loses power: unsynced data is thrown away and the filesystem unmounted. Kill
   * the processes using it first. Returns faultfs's account ("ok lost files=… bytes=…").
   */
  async powerLoss(): Promise<string> {
    const reply = await this.command("power-loss");
    await this.proc?.waitExit(10_000);
    if (this.proc?.running) await this.proc.kill();
    return reply;
  }

  /** The machine boots again: the same backing directory mounted again. */
  async remount(): Promise<void> {
    if (this.proc?.running) throw new Error(`faultfs ${this.name} is still mounted`);
    await this.start();
  }

  /** Clean unmount (keeps everything, as a clean shutdown does). Safe to call twice. */
  async close(): Promise<void> {
    if (this.proc?.running) {
      const st = await this.proc.stop(10_000);
      if (st.signal === "SIGKILL") unmountSync(this.mountPoint);
    }
    if (this.mounted) unmountSync(this.mountPoint);
    this.unregister();
  }
}
