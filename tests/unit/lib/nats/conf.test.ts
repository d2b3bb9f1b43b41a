// nats.conf and its routes include (lib/nats/conf.ts): server_name, ports, JetStream limits,
// lame duck, auth, per-pod routes. The real-server suites run this same text.
import { describe, expect, it } from "vitest";
import {
  natsConfInputs,
  natsGoMemLimit,
  natsPasswordEnv,
  renderNatsConf,
  renderNatsRoutes,
} from "../../../../lib/nats";
import { parseStackConfig } from "../../../../lib/config";
import { STACKS, stackConfig } from "../../../support/stack-files";

describe("nats.conf", () => {
  const conf = renderNatsConf(
    natsConfInputs({ natsMemory: "512Mi", natsStorage: "10Gi", natsSyncInterval: "always" }),
  );

  it.each(STACKS)(
    "%s: JetStream fsyncs before every acknowledgement (sync_interval always)",
    (stack) => {
      const generated = renderNatsConf(natsConfInputs(parseStackConfig(stackConfig(stack))));
      expect(generated).toMatch(/jetstream \{[^}]*\n {2}sync_interval: "always"\n\}/);
    },
  );

  it("writes a lazy sync_interval as a quoted Go duration when one is chosen", () => {
    const lazy = renderNatsConf(
      natsConfInputs({ natsMemory: "512Mi", natsStorage: "10Gi", natsSyncInterval: "2m" }),
    );
    expect(lazy).toMatch(/^ {2}sync_interval: "2m"$/m);
  });

  it("names each server after its pod and keeps one constant cluster name", () => {
    expect(conf).toMatch(/^server_name: \$SERVER_NAME$/m);
    expect(conf).toMatch(/cluster \{\n\s+name: "kgents"/);
  });

  it("listens on the flow table's ports", () => {
    expect(conf).toContain('listen: "0.0.0.0:4222"');
    expect(conf).toContain('http: "0.0.0.0:8222"');
    expect(conf).toContain('listen: "0.0.0.0:6222"');
  });

  it("sets explicit JetStream limits: file store 90% of the PVC, memory store 25% of the limit", () => {
    expect(conf).toContain('store_dir: "/data"'); // nats-server adds its own jetstream/ folder
    expect(conf).toMatch(/max_file_store: 9663676416$/m); // 0.9 * 10Gi
    expect(conf).toMatch(/max_memory_store: 134217728$/m); // 0.25 * 512Mi
  });

  it("enters lame duck with a 10s grace period over 30s, signalled through the pid file", () => {
    expect(conf).toMatch(/^lame_duck_grace_period: 10s$/m);
    expect(conf).toMatch(/^lame_duck_duration: 30s$/m);
    expect(conf).toContain('pid_file: "/var/run/nats/nats.pid"');
  });

  it("admits only authenticated users, passwords from the environment, never inline", () => {
    expect(conf).toContain(`{ user: "agents", password: $${natsPasswordEnv("agents")} }`);
    expect(conf).toContain(`{ user: "gateway", password: $${natsPasswordEnv("gateway")} }`);
    expect(conf).toMatch(/authorization \{\n\s+user: "route"\n\s+password: \$NATS_ROUTE_PASSWORD/);
    expect(conf).not.toMatch(/no_auth_user/);
    expect(conf).toContain('include "routes.conf"');
  });

  it("routes to every pod by its headless DNS name, never the ClusterIP service", () => {
    const hosts = [0, 1, 2].map((i) => ({
      host: `nats-${i}.nats-headless.kgents-agents.svc.cluster.local`,
      port: 6222,
    }));
    const routes = renderNatsRoutes(hosts, "route", "s3cretPW");
    expect(routes).toBe(
      'routes: [\n  "nats://route:s3cretPW@nats-0.nats-headless.kgents-agents.svc.cluster.local:6222"\n' +
        '  "nats://route:s3cretPW@nats-1.nats-headless.kgents-agents.svc.cluster.local:6222"\n' +
        '  "nats://route:s3cretPW@nats-2.nats-headless.kgents-agents.svc.cluster.local:6222"\n]\n',
    );
    expect(() => renderNatsRoutes(hosts, "route", "p@ss/word")).toThrow("alphanumeric");
  });

  it("sets GOMEMLIMIT to 80% of the memory limit", () => {
    expect(natsGoMemLimit("512Mi")).toBe("409MiB");
    expect(natsGoMemLimit("2Gi")).toBe("1638MiB");
  });
});
