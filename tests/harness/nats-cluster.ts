// A real NATS JetStream cluster on loopback, fed the nats.conf and routes include the program
// generates for a stack. Only addresses, ports and paths differ from what a pod gets: every other
// value (cluster name, users, lame duck, JetStream limits, GOMEMLIMIT) is the deployed one.
// Pod lifecycle is replayed as Kubernetes does it: Parallel start, startup probe /healthz then
// readiness /healthz?js-server-only=true, and pod deletion = preStop `nats-server --signal
// ldm=<pid file>`, then SIGTERM, then SIGKILL at terminationGracePeriodSeconds.
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import {
  NATS_POD_PATHS,
  NATS_SERVER_NAME_ENV,
  natsConfInputs,
  natsGoMemLimit,
  natsPasswordEnv,
  type NatsConfInputs,
  renderNatsConf,
  renderNatsRoutes,
} from "../../lib/nats";
import { ensureNatsServer } from "./binaries";
import { freePorts, LOOPBACK } from "./ports";
import { type ExitStatus, makeTempDir, ManagedProcess, removeTempDir, waitFor } from "./process";
import { stackRaw, type StackName } from "../support/stack-files";
import { parseStackConfig } from "../../lib/config";

const run = promisify(execFile);

/**
 * A client connection. Imported from nats-core (the package transport-node builds on): with this
 * repo's node10 module resolution the type transport-node re-exports through a package "exports"
 * subpath does not resolve.
 */
export type { NatsConnection };

/** As components/nats-cluster.ts: the routes Secret's key, projected next to nats.conf. */
const NATS_ROUTES_SECRET_KEY = NATS_POD_PATHS.routesInclude;
/** As components/nats-cluster.ts: the StatefulSet's terminationGracePeriodSeconds. */
export const NATS_TERMINATION_GRACE_SECONDS = 60;
/** The StatefulSet (component) name; pods are `<name>-<ordinal>` and SERVER_NAME is the pod name. */
export const NATS_STATEFULSET_NAME = "nats";

/** A password of the RandomSecret alphabet (alphanumeric, 32 characters), for local runs. */
export function localPassword(length = 32): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export interface NatsClusterOptions {
  /**
   * Stack whose generated config is run.
   * @default "dev"
   */
  readonly stack?: StackName;
  /**
   * Passwords by user (client users and the route user); missing ones are generated.
   * @default generated
   */
  readonly passwords?: Readonly<Record<string, string>>;
  /** Edits the rendered nats.conf before it is written (broken-config tests only). */
  readonly editConf?: (conf: string, ordinal: number) => string;
  /** Stack config keys changed as a user would in Pulumi.<stack>.yaml (e.g. natsSyncInterval). */
  readonly config?: Readonly<Record<string, string>>;
  /** Environment variables to leave out (a Secret key that is not mounted). */
  readonly omitEnv?: readonly string[];
  /**
   * How long a server may take to pass its startup and readiness probes.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
}

export interface NatsServerNode {
  readonly ordinal: number;
  /** Pod name, also the NATS server_name. */
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly dir: string;
  readonly confPath: string;
  readonly pidFile: string;
  readonly logFile: string;
  proc: ManagedProcess | undefined;
}

/** Timings of one pod deletion (preStop lame duck → exit). */
export interface StopTiming {
  readonly ordinal: number;
  /** From the preStop exec to process exit. */
  readonly stopMs: number;
  /** True if terminationGracePeriodSeconds ran out and the server was SIGKILLed. */
  readonly killed: boolean;
  readonly exit: ExitStatus;
}

/** Timings of one pod replacement (lame-duck stop, start, probes pass). */
export interface RestartTiming extends StopTiming {
  /** From the new process start to /healthz 200 and readiness 200. */
  readonly startMs: number;
  readonly totalMs: number;
}

export class NatsCluster {
  private constructor(
    readonly stack: StackName,
    /** The inputs the program deploys for the stack (before local substitution). */
    readonly deployed: NatsConfInputs,
    readonly nodes: readonly NatsServerNode[],
    private readonly bin: string,
    private readonly env: Readonly<Record<string, string>>,
    readonly passwords: Readonly<Record<string, string>>,
    private readonly root: string,
    private readonly startTimeoutMs: number,
  ) {}

  /** Renders, writes and starts every server in parallel; resolves once all pass their probes. */
  static async start(o: NatsClusterOptions = {}): Promise<NatsCluster> {
    const stack = o.stack ?? "dev";
    const cfg = parseStackConfig({ ...stackRaw(stack), ...o.config });
    const deployed = natsConfInputs(cfg);
    const bin = await ensureNatsServer();
    const replicas = cfg.natsReplicas;
    const users = [...deployed.clientUsers, deployed.routeUser];
    const passwords: Record<string, string> = {};
    for (const u of users) passwords[u] = o.passwords?.[u] ?? localPassword();

    const ports = await freePorts(replicas * 3);
    const root = makeTempDir("kgents-nats");
    const nodes: NatsServerNode[] = [];
    for (let i = 0; i < replicas; i++) {
      const dir = join(root, `${NATS_STATEFULSET_NAME}-${i}`);
      // Same layout as the pod under `dir`: /etc/nats-config (ConfigMap + routes Secret
      // projected into one volume), /data (PVC), /var/run/nats (pid file).
      const confPath = join(dir, NATS_POD_PATHS.config);
      nodes.push({
        ordinal: i,
        name: `${NATS_STATEFULSET_NAME}-${i}`,
        clientPort: ports[i * 3] as number,
        clusterPort: ports[i * 3 + 1] as number,
        monitorPort: ports[i * 3 + 2] as number,
        dir,
        confPath,
        pidFile: join(dir, NATS_POD_PATHS.pidFile),
        logFile: join(dir, "server.log"),
        proc: undefined,
      });
    }
    const routes = nodes.map((n) => ({ host: LOOPBACK, port: n.clusterPort }));
    const routesText = renderNatsRoutes(
      routes,
      deployed.routeUser,
      passwords[deployed.routeUser] as string,
    );
    for (const n of nodes) {
      const local = localNatsInputs(deployed, n);
      let conf = renderNatsConf(local);
      if (o.editConf) conf = o.editConf(conf, n.ordinal);
      mkdirSync(dirname(n.confPath), { recursive: true });
      mkdirSync(dirname(n.pidFile), { recursive: true });
      // The PVC mount point exists; nats-server creates the store dir inside it.
      mkdirSync(join(n.dir, NATS_POD_PATHS.dataDir), { recursive: true });
      writeFileSync(n.confPath, conf);
      // Where the pod has it: the routes Secret's key, projected into the config dir. nats.conf
      // must find it through its include, exactly as in the pod.
      writeFileSync(join(n.dir, NATS_POD_PATHS.configDir, NATS_ROUTES_SECRET_KEY), routesText, {
        mode: 0o600,
      });
    }

    const env: Record<string, string> = { GOMEMLIMIT: natsGoMemLimit(cfg.natsMemory) };
    for (const u of users) env[natsPasswordEnv(u)] = passwords[u] as string;
    for (const k of o.omitEnv ?? []) delete env[k];

    const cluster = new NatsCluster(
      stack,
      deployed,
      nodes,
      bin,
      env,
      passwords,
      root,
      o.startTimeoutMs ?? 60_000,
    );
    try {
      // podManagementPolicy: Parallel — JetStream needs a quorum before any /healthz is 200.
      await Promise.all(nodes.map((n) => cluster.startServer(n.ordinal)));
    } catch (e) {
      await cluster.close();
      throw e;
    }
    return cluster;
  }

  node(ordinal: number): NatsServerNode {
    const n = this.nodes[ordinal];
    if (!n) throw new Error(`no server ${ordinal}`);
    return n;
  }

  /** Client URLs of every server (clients get the full list: no_advertise hides the others). */
  clientUrls(): string[] {
    return this.nodes.map((n) => `nats://${LOOPBACK}:${n.clientPort}`);
  }

  /** A client connection as one of the deployed client users. */
  async connect(
    user: string = this.deployed.clientUsers[0] as string,
    opts: { name?: string; timeoutMs?: number } = {},
  ): Promise<NatsConnection> {
    const nc = (await connect({
      servers: this.clientUrls(),
      user,
      pass: this.passwords[user] as string,
      name: opts.name ?? "kgents-harness",
      timeout: opts.timeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5_000,
    })) as NatsConnection;
    return nc;
  }

  /** Starts server `ordinal` (its pod was (re)created) and waits for startup + readiness. */
  async startServer(ordinal: number): Promise<number> {
    const n = this.node(ordinal);
    if (n.proc?.running) throw new Error(`${n.name} is already running`);
    const t0 = Date.now();
    n.proc = ManagedProcess.start(n.name, this.bin, ["--config", n.confPath], {
      env: { ...this.env, [NATS_SERVER_NAME_ENV]: n.name },
      cwd: n.dir,
      logFile: n.logFile,
    });
    const proc = n.proc;
    await waitFor("startup probe /healthz 200", () => this.healthy(ordinal, ""), {
      timeoutMs: this.startTimeoutMs,
      intervalMs: 250,
      proc,
    });
    await waitFor(
      "readiness probe /healthz?js-server-only=true 200",
      () => this.healthy(ordinal, "?js-server-only=true"),
      { timeoutMs: this.startTimeoutMs, intervalMs: 250, proc },
    );
    return Date.now() - t0;
  }

  /** GET /healthz<query> on server `ordinal`: true when 200. */
  async healthy(ordinal: number, query = ""): Promise<boolean> {
    const res = await fetch(
      `http://${LOOPBACK}:${this.node(ordinal).monitorPort}/healthz${query}`,
      {
        signal: AbortSignal.timeout(2_000),
      },
    );
    await res.arrayBuffer();
    return res.status === 200;
  }

  /** A monitoring endpoint's JSON (e.g. "routez", "jsz?streams=true", "varz"). */
  async monitor<T = Record<string, unknown>>(ordinal: number, path: string): Promise<T> {
    const res = await fetch(`http://${LOOPBACK}:${this.node(ordinal).monitorPort}/${path}`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200)
      throw new Error(`${this.node(ordinal).name} /${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  /**
   * Deletes the pod as Kubernetes does: the preStop hook `nats-server --signal ldm=<pid file>`
   * runs to completion, then SIGTERM (ignored by a server in lame duck), then SIGKILL when
   * terminationGracePeriodSeconds (counted from the start of preStop) runs out.
   */
  async lameDuckStop(ordinal: number): Promise<StopTiming> {
    const n = this.node(ordinal);
    const proc = n.proc;
    if (!proc?.running) throw new Error(`${n.name} is not running`);
    const graceMs = NATS_TERMINATION_GRACE_SECONDS * 1000;
    const t0 = Date.now();
    try {
      await run(this.bin, ["--signal", `ldm=${n.pidFile}`], { timeout: graceMs });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`${n.name} preStop (--signal ldm) failed: ${err.stderr ?? err.message}`, {
        cause: e,
      });
    }
    proc.signal("SIGTERM");
    let exit = await proc.waitExit(Math.max(0, graceMs - (Date.now() - t0)));
    let killed = false;
    if (!exit) {
      killed = true;
      exit = await proc.kill();
    }
    return { ordinal, stopMs: Date.now() - t0, killed, exit };
  }

  /** Replaces one pod: lame-duck stop, start, wait for the probes. */
  async restart(ordinal: number): Promise<RestartTiming> {
    const stop = await this.lameDuckStop(ordinal);
    const startMs = await this.startServer(ordinal);
    return { ...stop, startMs, totalMs: stop.stopMs + startMs };
  }

  /**
   * A StatefulSet RollingUpdate: highest ordinal first, one pod at a time, the next only after
   * the replacement is Ready.
   */
  async rollingRestart(onEach?: (t: RestartTiming) => void): Promise<RestartTiming[]> {
    const out: RestartTiming[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const t = await this.restart(i);
      onEach?.(t);
      out.push(t);
    }
    return out;
  }

  /** Crash: SIGKILL, no lame duck. */
  async kill(ordinal: number): Promise<ExitStatus> {
    const proc = this.node(ordinal).proc;
    if (!proc) throw new Error(`${this.node(ordinal).name} was never started`);
    return proc.kill();
  }

  /** Stops every server and removes the temp dir (data included). Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.proc?.running) await n.proc.stop(5_000);
      }),
    );
    removeTempDir(this.root);
  }

  /** The server's own output (tail), e.g. for a failed assertion. */
  output(ordinal: number): string {
    return this.node(ordinal).proc?.output() ?? "";
  }
}

/**
 * The deployed inputs with only addresses, ports and paths made local for one server: every pod
 * path moves under the server's own directory; the include stays as deployed (it is relative to
 * nats.conf).
 */
export function localNatsInputs(deployed: NatsConfInputs, n: NatsServerNode): NatsConfInputs {
  const local = (podPath: string): string => join(n.dir, podPath);
  return {
    ...deployed,
    host: LOOPBACK,
    clientPort: n.clientPort,
    clusterPort: n.clusterPort,
    monitorPort: n.monitorPort,
    storeDir: local(deployed.storeDir),
    pidFile: local(deployed.pidFile),
  };
}
