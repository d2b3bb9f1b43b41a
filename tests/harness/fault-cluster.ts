// A real NATS JetStream cluster for the fault-injection suite: each nats-server in its own
// network namespace (netns.ts) with its JetStream store on its own faultfs mount (faultfs.ts),
// fed the nats.conf the program generates for a stack. Each server has the pod's own ports
// (4222/6222/8222: one namespace each, as one pod each); only addresses and paths differ from
// the pod, plus the cluster listener bound to the cluster link so a partition really cuts it.
// Power loss = SIGKILL, then faultfs throws away what was not fsynced, then the filesystem is
// mounted again and the server restarted (the machine reboots).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { parseStackConfig, type StackConfig } from "../../lib/config";
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
import { FaultFs, faultsTempDir } from "./faultfs";
import { localPassword, NATS_STATEFULSET_NAME } from "./nats-cluster";
import { NetLab } from "./netns";
import { ManagedProcess, removeTempDir, sleep, waitFor } from "./process";
import { stackRaw, type StackName } from "../support/stack-files";

export interface FaultNode {
  readonly ordinal: number;
  readonly name: string;
  readonly dir: string;
  readonly confPath: string;
  readonly clientUrl: string;
  readonly monitorUrl: string;
  readonly fs: FaultFs;
  proc: ManagedProcess | undefined;
}

export interface FaultClusterOptions {
  /** @default "dev" */
  readonly stack?: StackName;
  /** Stack config keys changed as a user would in Pulumi.<stack>.yaml (e.g. natsSyncInterval). */
  readonly config?: Readonly<Record<string, string>>;
  /** Short tag in the names of this cluster's dirs and namespaces. */
  readonly tag: string;
}

export class FaultNatsCluster {
  private constructor(
    readonly cfg: StackConfig,
    readonly deployed: NatsConfInputs,
    readonly nodes: readonly FaultNode[],
    readonly net: NetLab,
    private readonly root: string,
    private readonly bin: string,
    private readonly env: Readonly<Record<string, string>>,
    readonly passwords: Readonly<Record<string, string>>,
  ) {}

  static async start(o: FaultClusterOptions): Promise<FaultNatsCluster> {
    const cfg = parseStackConfig({ ...stackRaw(o.stack ?? "dev"), ...o.config });
    const deployed = natsConfInputs(cfg);
    const bin = await ensureNatsServer();
    const users = [...deployed.clientUsers, deployed.routeUser];
    const passwords: Record<string, string> = {};
    for (const u of users) passwords[u] = localPassword();
    const env: Record<string, string> = { GOMEMLIMIT: natsGoMemLimit(cfg.natsMemory) };
    for (const u of users) env[natsPasswordEnv(u)] = passwords[u] as string;

    const root = faultsTempDir(o.tag);
    const net = NetLab.create(o.tag, cfg.natsReplicas);
    const nodes: FaultNode[] = [];
    const cluster = new FaultNatsCluster(cfg, deployed, nodes, net, root, bin, env, passwords);
    try {
      const routes = net.nodes.map((n) => ({ host: n.clusterIp, port: deployed.clusterPort }));
      const routesText = renderNatsRoutes(
        routes,
        deployed.routeUser,
        passwords[deployed.routeUser] as string,
      );
      for (let i = 0; i < cfg.natsReplicas; i++) {
        const name = `${NATS_STATEFULSET_NAME}-${i}`;
        const dir = join(root, name);
        const fs = await FaultFs.mount(name, join(dir, "pvc"));
        const confPath = join(dir, NATS_POD_PATHS.config);
        const local: NatsConfInputs = {
          ...deployed,
          storeDir: fs.mountPoint,
          pidFile: join(dir, NATS_POD_PATHS.pidFile),
        };
        // The cluster listener on the cluster link only: bound to 0.0.0.0 it would also be
        // reachable (and advertised) over the client link, and a partition would not cut it.
        const conf = renderNatsConf(local).replace(
          `listen: "${deployed.host}:${deployed.clusterPort}"`,
          `listen: "${net.node(i).clusterIp}:${deployed.clusterPort}"`,
        );
        mkdirSync(dirname(confPath), { recursive: true });
        mkdirSync(dirname(local.pidFile), { recursive: true });
        writeFileSync(confPath, conf);
        writeFileSync(
          join(dir, NATS_POD_PATHS.configDir, NATS_POD_PATHS.routesInclude),
          routesText,
          {
            mode: 0o600,
          },
        );
        const ip = net.node(i).clientIp;
        nodes.push({
          ordinal: i,
          name,
          dir,
          confPath,
          clientUrl: `nats://${ip}:${deployed.clientPort}`,
          monitorUrl: `http://${ip}:${deployed.monitorPort}`,
          fs,
          proc: undefined,
        });
      }
      await Promise.all(nodes.map((n) => cluster.startServer(n.ordinal)));
    } catch (e) {
      await cluster.close();
      throw e;
    }
    return cluster;
  }

  node(i: number): FaultNode {
    const n = this.nodes[i];
    if (!n) throw new Error(`no server ${i}`);
    return n;
  }

  /** Starts server i in its namespace; resolves when its startup and readiness probes pass. */
  async startServer(i: number, timeoutMs = 60_000): Promise<number> {
    const n = this.node(i);
    if (n.proc?.running) throw new Error(`${n.name} is already running`);
    const t0 = Date.now();
    const [cmd, ...prefix] = this.net.exec(i);
    const proc = ManagedProcess.start(n.name, cmd, [...prefix, this.bin, "--config", n.confPath], {
      env: { ...this.env, [NATS_SERVER_NAME_ENV]: n.name },
      cwd: n.dir,
      logFile: join(n.dir, "server.log"),
    });
    n.proc = proc;
    for (const q of ["", "?js-server-only=true"]) {
      await waitFor(`${n.name} /healthz${q} 200`, () => this.healthy(i, q), {
        timeoutMs,
        intervalMs: 250,
        proc,
      });
    }
    return Date.now() - t0;
  }

  async healthy(i: number, query = ""): Promise<boolean> {
    const res = await fetch(`${this.node(i).monitorUrl}/healthz${query}`, {
      signal: AbortSignal.timeout(2_000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  }

  /** A client of the deployed client user, to the given servers (default all). */
  async connect(
    servers: readonly number[] = this.nodes.map((n) => n.ordinal),
  ): Promise<NatsConnection> {
    const user = this.deployed.clientUsers[0] as string;
    return (await connect({
      servers: servers.map((i) => this.node(i).clientUrl),
      user,
      pass: this.passwords[user] as string,
      name: "kgents-faults",
      timeout: 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      noRandomize: true,
    })) as NatsConnection;
  }

  /** Makes everything written so far durable on every server (the kernel's writeback). */
  async syncAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.fs.sync()));
  }

  /**
   * The power goes on the given servers at once: SIGKILL, then faultfs throws away what was
   * not fsynced. Returns each faultfs account of what was lost.
   */
  async powerLoss(servers: readonly number[]): Promise<string[]> {
    await Promise.all(
      servers.map(async (i) => {
        await this.node(i).proc?.kill();
      }),
    );
    return Promise.all(servers.map((i) => this.node(i).fs.powerLoss()));
  }

  /** The machines boot: filesystems mounted again, servers started, probes pass. */
  async boot(servers: readonly number[]): Promise<number> {
    const t0 = Date.now();
    for (const i of servers) await this.node(i).fs.remount();
    await Promise.all(servers.map((i) => this.startServer(i, 120_000)));
    return Date.now() - t0;
  }

  /** Stops every server, unmounts, deletes the namespaces and the temp dir. Safe twice. */
  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.proc?.running) await n.proc.stop(5_000);
      }),
    );
    for (const n of this.nodes) await n.fs.close();
    this.net.destroy();
    await sleep(0);
    removeTempDir(this.root);
  }

  output(i: number): string {
    return this.node(i).proc?.output() ?? "";
  }
}
