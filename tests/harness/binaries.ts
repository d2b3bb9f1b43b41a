// The real server binaries, installed on demand: nats-server built from the pinned Go module by
// scripts/tools.sh (warm runs only relink), redis-server from Debian via scripts/ensure-redis.sh.
// Both scripts are idempotent and fast when warm, so every suite may call these.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Repository root (this file lives in tests/harness/). */
export const REPO_ROOT = resolve(__dirname, "..", "..");

/** Cold builds of nats-server take minutes; a warm run takes about a second. */
const TOOLS_TIMEOUT_MS = 15 * 60_000;
const APT_TIMEOUT_MS = 15 * 60_000;

let nats: Promise<string> | undefined;
let redis: Promise<string> | undefined;

async function script(
  what: string,
  args: readonly string[],
  timeout: number,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run("bash", [...args], { cwd: REPO_ROOT, timeout, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${what} failed: ${err.message}\n${err.stderr ?? ""}`, { cause: e });
  }
}

/** Path of the nats-server built from the pinned module (bin/nats-server). */
export function ensureNatsServer(): Promise<string> {
  nats ??= (async () => {
    await script("scripts/tools.sh nats", ["scripts/tools.sh", "nats"], TOOLS_TIMEOUT_MS);
    const bin = join(REPO_ROOT, "bin", "nats-server");
    if (!existsSync(bin)) throw new Error(`scripts/tools.sh nats did not produce ${bin}`);
    return bin;
  })();
  return nats;
}

/** Path of a redis-server of the deployed major.minor (Debian package). */
export function ensureRedisServer(): Promise<string> {
  redis ??= (async () => {
    const { stdout } = await script(
      "scripts/ensure-redis.sh",
      ["scripts/ensure-redis.sh"],
      APT_TIMEOUT_MS,
    );
    const bin = stdout.trim().split("\n").pop() ?? "";
    if (!bin || !existsSync(bin))
      throw new Error(`scripts/ensure-redis.sh printed no binary: ${stdout}`);
    return bin;
  })();
  return redis;
}

/** `nats-server --version` → "2.14.9". */
export async function natsServerVersion(bin: string): Promise<string> {
  const { stdout } = await run(bin, ["--version"], { timeout: 10_000 });
  const m = /v(\d+\.\d+\.\d+)/.exec(stdout);
  if (!m?.[1]) throw new Error(`unexpected nats-server --version output: ${stdout}`);
  return m[1];
}

/** `redis-server --version` → "7.0.15". */
export async function redisServerVersion(bin: string): Promise<string> {
  const { stdout } = await run(bin, ["--version"], { timeout: 10_000 });
  const m = /v=(\d+\.\d+\.\d+)/.exec(stdout);
  if (!m?.[1]) throw new Error(`unexpected redis-server --version output: ${stdout}`);
  return m[1];
}
