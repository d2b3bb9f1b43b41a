// Stack config validation: the schema matches Pulumi.yaml, both stacks parse, and bad input
// stops the program with `key = value: rule` before any resource is registered.
import { beforeAll, describe, expect, it } from "vitest";
import {
  CONFIG_KEYS,
  natsSyncWarning,
  parseStackConfig,
  StackConfigError,
} from "../../../lib/config";
import { runWithConfig } from "../../support/program";
import { declaredDefaults, projectFile, STACKS, stackConfig } from "../../support/stack-files";

describe("Pulumi.yaml config schema", () => {
  it("declares exactly the keys the program validates, each with type, description and default", () => {
    const project = projectFile();
    const declared = Object.keys(project.config).filter((k) => !k.includes(":"));
    expect(declared.sort()).toEqual([...CONFIG_KEYS].sort());
    for (const k of declared) {
      const d = project.config[k]!;
      expect(["string", "integer", "boolean", "array"], k).toContain(d.type);
      expect(d.description, k).toMatch(/\w{3,}/);
      expect(d, k).toHaveProperty("default");
    }
  });

  it("disables the default Kubernetes provider", () => {
    expect(projectFile().config["pulumi:disable-default-providers"]?.value).toEqual(["kubernetes"]);
  });

  it.each(STACKS)("parses the %s stack file into a typed config", (stack) => {
    const c = parseStackConfig(stackConfig(stack));
    expect(c.natsReplicas).toBe(3);
    expect(c.natsPdbMinAvailable).toBe(2);
    expect(typeof c.natsExporter).toBe("boolean");
    expect(c.extraFlows).toEqual([]);
    expect(c.gatewayImage).toBe("kgents-gateway:0.1.0");
    expect(c.gatewayReplicas).toBe(stack === "prod" ? 3 : 2);
  });

  it("accepts gateway images pinned by tag, digest or both, with a registry port", () => {
    const dev = stackConfig("dev");
    const digest = `sha256:${"0a".repeat(32)}`;
    for (const image of [
      "registry.example:5000/team/kgents-gateway:0.1.0",
      `kgents-gateway@${digest}`,
      `registry.example/kgents-gateway:0.1.0@${digest}`,
    ])
      expect(parseStackConfig({ ...dev, "kgents:gatewayImage": image }).gatewayImage).toBe(image);
  });

  it("stack files only override declared keys, and dev differs from the defaults only in its target", () => {
    const dev = stackConfig("dev");
    const defaults = declaredDefaults();
    const changed = Object.entries(dev).filter(
      ([k, v]) => defaults[k.replace(/^kgents:/, "")] !== v,
    );
    expect(changed.map(([k]) => k)).toEqual(["kgents:kubeconfig"]);
  });
});

describe("durability keys", () => {
  it.each(STACKS)("%s fsyncs NATS before every acknowledgement and prints no warning", (stack) => {
    const c = parseStackConfig(stackConfig(stack));
    expect(c.natsSyncInterval).toBe("always");
    expect(natsSyncWarning(c)).toBeUndefined();
  });

  it.each(["2m", "10s", "1h30m", "250ms", "1.5s"])(
    "accepts the lazy interval %s, with a warning",
    (v) => {
      const c = parseStackConfig({ ...stackConfig("dev"), "kgents:natsSyncInterval": v });
      expect(c.natsSyncInterval).toBe(v);
      expect(natsSyncWarning(c)).toBe(
        `kgents:natsSyncInterval = ${v}: JetStream acknowledges writes before they are on disk; a power loss of a quorum of servers loses up to ${v} of acknowledged messages (see README, Durability)`,
      );
    },
  );

  it("prod keeps every acknowledged Redis write (appendfsync always); dev takes the default", () => {
    expect(parseStackConfig(stackConfig("prod")).redisAppendFsync).toBe("always");
    expect(parseStackConfig(stackConfig("dev")).redisAppendFsync).toBe("everysec");
  });
});

/** Bad inputs: one key changed from the valid dev config; the exact error line expected. */
const BAD: [string, Record<string, string>, string][] = [
  [
    "even NATS replicas (2)",
    { "kgents:natsReplicas": "2" },
    "kgents:natsReplicas = 2: must be 3, 5 or 7: an odd count gives JetStream a clean quorum",
  ],
  [
    "even NATS replicas (4)",
    { "kgents:natsReplicas": "4" },
    "kgents:natsReplicas = 4: must be 3, 5 or 7",
  ],
  [
    "non-integer replicas",
    { "kgents:natsReplicas": "three" },
    'kgents:natsReplicas = "three": must be an integer',
  ],
  [
    "PDB minAvailable above replicas",
    { "kgents:natsPdbMinAvailable": "4" },
    "kgents:natsPdbMinAvailable = 4: must not exceed natsReplicas (3)",
  ],
  [
    "PDB minAvailable equal to replicas (no drain possible)",
    { "kgents:natsPdbMinAvailable": "3" },
    "kgents:natsPdbMinAvailable = 3: must be below natsReplicas (3), or no node can ever be drained",
  ],
  [
    "PDB minAvailable below quorum",
    { "kgents:natsReplicas": "5", "kgents:natsPdbMinAvailable": "2" },
    "kgents:natsPdbMinAvailable = 2: must be at least the JetStream quorum floor(5/2)+1 = 3",
  ],
  [
    "NATS memory below what GOMEMLIMIT needs",
    { "kgents:natsMemory": "128Mi" },
    'kgents:natsMemory = "128Mi": must be at least 256Mi: GOMEMLIMIT is 80% of the limit',
  ],
  [
    "memory that is not a quantity",
    { "kgents:redisMemory": "lots" },
    'kgents:redisMemory = "lots": must be a memory quantity such as 512Mi or 2Gi',
  ],
  [
    "namespace prefix that is not DNS-1123",
    { "kgents:namespacePrefix": "KGents_Prod" },
    'kgents:namespacePrefix = "KGents_Prod": must be a DNS-1123 label',
  ],
  [
    "unknown tier in a flow",
    { "kgents:extraFlows": '["billing->triad/redis:6379/TCP"]' },
    'kgents:extraFlows[0] = "billing->triad/redis:6379/TCP": unknown tier "billing" (tiers: agents, triad, gateway, observability)',
  ],
  [
    "malformed flow",
    { "kgents:extraFlows": '["agents to triad"]' },
    'kgents:extraFlows[0] = "agents to triad": must look like from[/workload]->to[/workload]:port/TCP|UDP',
  ],
  [
    "unknown key",
    { "kgents:natsReplica": "3" },
    "kgents:natsReplica = 3: unknown key (declared keys: kubeconfig, kubeContext,",
  ],
  [
    "privileged gateway port",
    { "kgents:gatewayPort": "80" },
    "kgents:gatewayPort = 80: must be between 1024 and 65535 (pods run non-root)",
  ],
  [
    "spread policy outside the enum",
    { "kgents:spreadPolicy": "always" },
    'kgents:spreadPolicy = "always": must be soft (ScheduleAnyway) or hard (DoNotSchedule)',
  ],
  [
    "boolean that is not a boolean",
    { "kgents:redisAppendOnly": "yes" },
    'kgents:redisAppendOnly = "yes": must be true or false',
  ],
  [
    "gateway image on :latest",
    { "kgents:gatewayImage": "kgents-gateway:latest" },
    'kgents:gatewayImage = "kgents-gateway:latest": must pin a version, not :latest',
  ],
  [
    "untagged gateway image",
    { "kgents:gatewayImage": "registry.example:5000/kgents-gateway" },
    'kgents:gatewayImage = "registry.example:5000/kgents-gateway": must pin a tag or a digest',
  ],
  [
    "gateway image that is not a reference",
    { "kgents:gatewayImage": "Kgents Gateway:1" },
    'kgents:gatewayImage = "Kgents Gateway:1": must be an image reference such as',
  ],
  [
    "one gateway replica (its PDB would block drains)",
    { "kgents:gatewayReplicas": "1" },
    "kgents:gatewayReplicas = 1: must be between 2 and 50: with one pod the disruption budget would block every drain",
  ],
  [
    "gateway memory below what Node needs",
    { "kgents:gatewayMemory": "64Mi" },
    'kgents:gatewayMemory = "64Mi": must be at least 128Mi',
  ],
  [
    "NATS sync interval that is neither always nor a duration",
    { "kgents:natsSyncInterval": "never" },
    'kgents:natsSyncInterval = "never": must be always (fsync before every acknowledgement) or a positive Go duration such as 10s or 2m',
  ],
  [
    "NATS sync interval of zero",
    { "kgents:natsSyncInterval": "0s" },
    'kgents:natsSyncInterval = "0s": must be always',
  ],
  [
    "NATS sync interval without a unit",
    { "kgents:natsSyncInterval": "120" },
    "kgents:natsSyncInterval = 120: must be always",
  ],
  [
    "Redis appendfsync outside the enum",
    { "kgents:redisAppendFsync": "no" },
    'kgents:redisAppendFsync = "no": must be everysec (fsync once a second) or always (fsync before every reply)',
  ],
  [
    "storage below 1Gi",
    { "kgents:natsStorage": "500Mi" },
    'kgents:natsStorage = "500Mi": must be at least 1Gi',
  ],
];

describe("bad stack config", () => {
  it("has at least 12 cases", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(12);
  });

  it.each(BAD)("rejects %s with key, value and rule", (_name, change, message) => {
    const raw = { ...stackConfig("dev"), ...change };
    let err: unknown;
    try {
      parseStackConfig(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StackConfigError);
    expect((err as Error).message).toContain(message);
  });

  it("reports every problem at once", () => {
    const raw = { ...stackConfig("dev"), "kgents:natsReplicas": "4", "kgents:redisMemory": "1Mi" };
    expect(() => parseStackConfig(raw)).toThrow(/natsReplicas = 4[\s\S]*redisMemory = "1Mi"/);
  });

  it("reports a key missing from both Pulumi.yaml and the stack", () => {
    const raw = stackConfig("dev");
    delete raw["kgents:natsCpu"];
    expect(() => parseStackConfig(raw)).toThrow("kgents:natsCpu = (unset): is required");
  });

  describe("in the real program", () => {
    const runs: Awaited<ReturnType<typeof runWithConfig>>[] = [];
    beforeAll(async () => {
      for (const [, change] of BAD)
        runs.push(await runWithConfig("dev", { ...stackConfig("dev"), ...change }));
    });
    it.each(BAD.map((b, i) => [b[0], i] as const))(
      "stops before registering any resource: %s",
      (_name, i) => {
        const run = runs[i]!;
        expect(run.error?.message).toContain(BAD[i]![2]);
        expect(run.resources).toEqual([]);
      },
    );
  });
});
