// A real redis-server on loopback, fed the redis.conf and auth include the program generates for
// a stack. Only the address, port and paths differ from the pod (plus, where a test says so and
// why, an explicit override such as a smaller maxmemory). Readiness is the deployed readiness
// probe itself (redis-cli ping with REDISCLI_AUTH), pointed at the local port.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "redis";
import {
  REDIS_POD_PATHS,
  redisConfInputs,
  type RedisConfInputs,
  renderRedisAuth,
  renderRedisConf,
} from "../../lib/redis";
import { ensureRedisServer } from "./binaries";
import { localPassword } from "./nats-cluster";
import { freePorts, LOOPBACK } from "./ports";
import { type ExitStatus, makeTempDir, ManagedProcess, removeTempDir, waitFor } from "./process";
import { loadStackConfig, type StackName } from "../support/stack-files";

const run = promisify(execFile);

/** As components/redis-store.ts: the pod's name (StatefulSet `redis`, one replica). */
export const REDIS_POD_NAME = "redis-0";

export interface RedisServerOptions {
  /**
   * Stack whose generated config is run.
   * @default "dev"
   */
  readonly stack?: StackName;
  /**
   * Overrides of deployed values other than address, port and paths. Each use must say why in
   * the test (e.g. a small maxmemory so filling it takes milliseconds).
   */
  readonly override?: Partial<Pick<RedisConfInputs, "maxMemoryBytes" | "appendFsync">>;
  /**
   * Where the pod's /data lives, e.g. a faultfs mount (power-loss tests).
   * @default a folder in the server's temp dir
   */
  readonly dataDir?: string;
  /** Edits the rendered redis.conf before it is written (broken-config tests only). */
  readonly editConf?: (conf: string) => string;
  /**
   * How long the server may take to pass its readiness probe.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
}

/** A client as RedisServer.client() makes it. */
export type RedisClient = ReturnType<typeof makeClient>;

function makeClient(url: string, password: string) {
  const c = createClient({
    url,
    password,
    socket: { connectTimeout: 3_000, reconnectStrategy: false },
  });
  // Errors surface through the command promises; keep the emitter from throwing.
  c.on("error", () => undefined);
  return c;
}

export class RedisServer {
  private proc: ManagedProcess | undefined;

  private constructor(
    readonly stack: StackName,
    /** The inputs the program deploys for the stack (before local substitution). */
    readonly deployed: RedisConfInputs,
    /** What this server runs. */
    readonly inputs: RedisConfInputs,
    readonly port: number,
    readonly password: string,
    readonly dir: string,
    readonly confPath: string,
    private readonly bin: string,
    private readonly startTimeoutMs: number,
  ) {}

  static async start(o: RedisServerOptions = {}): Promise<RedisServer> {
    const stack = o.stack ?? "dev";
    const deployed = redisConfInputs(loadStackConfig(stack));
    const bin = await ensureRedisServer();
    const [port] = await freePorts(1);
    const dir = makeTempDir("kgents-redis");
    const local = (podPath: string): string => join(dir, podPath);
    const inputs: RedisConfInputs = {
      ...deployed,
      ...o.override,
      bind: LOOPBACK,
      port: port as number,
      dataDir: o.dataDir ?? local(deployed.dataDir),
      authInclude: local(deployed.authInclude),
    };
    const password = localPassword();
    const confPath = local(REDIS_POD_PATHS.config);
    mkdirSync(dirname(confPath), { recursive: true });
    mkdirSync(inputs.dataDir, { recursive: true });
    let conf = renderRedisConf(inputs);
    if (o.editConf) conf = o.editConf(conf);
    writeFileSync(confPath, conf);
    mkdirSync(dirname(inputs.authInclude), { recursive: true });
    writeFileSync(inputs.authInclude, renderRedisAuth(password), { mode: 0o600 });
    const server = new RedisServer(
      stack,
      deployed,
      inputs,
      port as number,
      password,
      dir,
      confPath,
      bin,
      o.startTimeoutMs ?? 30_000,
    );
    try {
      await server.startProcess();
    } catch (e) {
      await server.close();
      throw e;
    }
    return server;
  }

  get url(): string {
    return `redis://${LOOPBACK}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  /** Starts redis-server (same command as the container) and waits for the readiness probe. */
  async startProcess(): Promise<number> {
    if (this.proc?.running) throw new Error("redis is already running");
    const t0 = Date.now();
    const proc = ManagedProcess.start(REDIS_POD_NAME, this.bin, [this.confPath], {
      cwd: this.dir,
      logFile: join(this.dir, "server.log"),
    });
    this.proc = proc;
    await waitFor("readiness probe (redis-cli ping → PONG)", () => this.readinessProbe(), {
      timeoutMs: this.startTimeoutMs,
      intervalMs: 100,
      proc,
    });
    return Date.now() - t0;
  }

  /**
   * The deployed readiness probe, `sh -c "redis-cli -h 127.0.0.1 ping | grep -q PONG"` with
   * REDISCLI_AUTH from the Secret; only the port is added.
   */
  async readinessProbe(o: { withAuthEnv?: boolean } = {}): Promise<boolean> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    if (o.withAuthEnv !== false) env.REDISCLI_AUTH = this.password;
    try {
      await run("sh", ["-c", `redis-cli -h ${LOOPBACK} -p ${this.port} ping | grep -q PONG`], {
        env,
        timeout: 3_000,
      });
      return true;
    } catch {
      return false;
    }
  }

  /** An authenticated client. Caller closes it. */
  async client(): Promise<RedisClient> {
    const c = makeClient(this.url, this.password);
    await c.connect();
    return c;
  }

  /**
   * Sends one command over a bare connection (no client library, no AUTH, no HELLO) and
   * returns the first reply line, e.g. "-NOAUTH Authentication required.".
   */
  async raw(args: readonly string[], timeoutMs = 3_000): Promise<string> {
    const resp = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
    return new Promise<string>((resolve, reject) => {
      const sock = connectTcp({ host: LOOPBACK, port: this.port });
      let buf = "";
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`no reply to ${args[0]} within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.on("connect", () => sock.write(resp));
      sock.on("data", (d) => {
        buf += d.toString("utf8");
        const end = buf.indexOf("\r\n");
        if (end >= 0) {
          clearTimeout(timer);
          sock.destroy();
          resolve(buf.slice(0, end));
        }
      });
      sock.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** kill -9: no shutdown, no final fsync. */
  async kill9(): Promise<ExitStatus> {
    if (!this.proc) throw new Error("redis was never started");
    return this.proc.kill();
  }

  /** SIGTERM (Kubernetes pod deletion), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<ExitStatus | undefined> {
    return this.proc?.stop(graceMs);
  }

  output(): string {
    return this.proc?.output() ?? "";
  }

  async close(): Promise<void> {
    if (this.proc?.running) await this.proc.stop(5_000);
    removeTempDir(this.dir);
  }
}
