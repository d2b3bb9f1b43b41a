// Child-process plumbing for the real-server harness: start a server with its output captured,
// wait for it to exit with a bound, and make sure nothing outlives the test process (every
// process and temp dir is registered and torn down on normal exit and on SIGINT/SIGTERM/SIGHUP).
// No vitest imports: plain scripts (load runners, benchmarks) use the harness too.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How much of a server's own output is kept in memory for error reports. */
const OUTPUT_TAIL_CHARS = 16_000;

/** A server that did not come up: carries the server's own output so the cause is visible. */
export class ServerStartError extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
    /** The server's own stdout+stderr (tail). */
    readonly output: string,
  ) {
    super(
      `${server} failed to start: ${reason}\n--- ${server} output (tail) ---\n${output.trimEnd() || "(no output)"}\n---`,
    );
    this.name = "ServerStartError";
  }
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const live = new Set<ManagedProcess>();
const dirs = new Set<string>();
const extra = new Set<() => void>();
let hooksInstalled = false;

/**
 * Registers a synchronous teardown (an unmount, a network namespace) that cleanupSync runs
 * after killing the processes and before removing the temp dirs. Returns its unregister.
 */
export function onCleanup(fn: () => void): () => void {
  installHooks();
  extra.add(fn);
  return () => extra.delete(fn);
}

/**
 * Kills every live server (SIGKILL) and removes every temp dir, synchronously. Installed on
 * process exit and SIGINT/SIGTERM/SIGHUP; exported so a test can prove it leaves nothing behind.
 */
export function cleanupSync(): void {
  for (const p of live) p.killSync();
  live.clear();
  for (const fn of extra) {
    try {
      fn();
    } catch {
      // best effort: the other teardowns still run
    }
  }
  extra.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once("exit", cleanupSync);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      cleanupSync();
      // Restore the default action and re-raise, so the exit status still says "killed by sig".
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}

/** A temp dir removed by `removeTempDir` or, at the latest, when the process exits. */
export function makeTempDir(prefix: string): string {
  installHooks();
  const d = mkdtempSync(join(tmpdir(), `${prefix}-`));
  dirs.add(d);
  return d;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export interface StartOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** File that receives the full output (the in-memory copy keeps only a tail). */
  readonly logFile?: string;
}

/** One server process with its output captured and its exit observable. */
export class ManagedProcess {
  private tailText = "";
  private status: ExitStatus | undefined;
  private readonly log: WriteStream | undefined;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    logFile: string | undefined,
  ) {
    this.log = logFile ? createWriteStream(logFile, { flags: "a" }) : undefined;
    const onData = (b: Buffer): void => {
      this.tailText = (this.tailText + b.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
      this.log?.write(b);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once("error", (err) => {
        this.tailText += `\n[harness] spawn error: ${err.message}\n`;
        this.status ??= { code: null, signal: null };
        live.delete(this);
        resolve(this.status);
      });
      child.once("exit", (code, signal) => {
        this.status = { code, signal };
        live.delete(this);
        resolve(this.status);
      });
    });
    // Close the log once all output has been read (after 'exit', streams may still drain).
    child.once("close", () => this.log?.end());
  }

  static start(
    name: string,
    bin: string,
    args: readonly string[],
    o: StartOptions = {},
  ): ManagedProcess {
    installHooks();
    const child = spawn(bin, [...args], {
      cwd: o.cwd,
      // Only what the server needs: PATH for helpers, plus the given variables (secrets, names).
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...o.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const p = new ManagedProcess(name, child, o.logFile);
    live.add(p);
    return p;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** The last part of the server's own stdout+stderr. */
  output(): string {
    return this.tailText;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Waits up to `ms` for the exit; undefined if still running. */
  async waitExit(ms: number): Promise<ExitStatus | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when gone. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (!this.running) return this.status as ExitStatus;
    this.signal("SIGTERM");
    const st = await this.waitExit(graceMs);
    if (st) return st;
    this.signal("SIGKILL");
    return this.exited;
  }

  /** SIGKILL, for crash tests. */
  async kill(): Promise<ExitStatus> {
    this.signal("SIGKILL");
    return this.exited;
  }

  killSync(): void {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns true, at most `timeoutMs`; fails early (with the server's own
 * output) if `proc` exits meanwhile.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  o: { timeoutMs: number; intervalMs?: number; proc?: ManagedProcess },
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 200;
  for (let i = 0; Date.now() < deadline && i < 100_000; i++) {
    if (o.proc && !o.proc.running) {
      const st = o.proc.exitStatus;
      throw new ServerStartError(
        o.proc.name,
        `exited (code ${st?.code ?? "none"}, signal ${st?.signal ?? "none"}) before ${what}`,
        o.proc.output(),
      );
    }
    if (await probe().catch(() => false)) return;
    await sleep(interval);
  }
  throw new ServerStartError(
    o.proc?.name ?? what,
    `${what}: not reached within ${o.timeoutMs} ms`,
    o.proc?.output() ?? "",
  );
}
