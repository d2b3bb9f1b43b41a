// Stack config: one parse from raw key/value pairs (Pulumi config, all strings) into one typed,
// validated StackConfig. Bad input stops here, before any resource is registered, with an error
// naming the key, the value and the rule. Defaults live in Pulumi.yaml (the CLI applies them);
// this schema has none, so a key missing from both is an error too. No Pulumi imports.
import { z } from "zod";
import { type Flow, parseExtraFlow } from "./flows";
import { CPU_QUANTITY, MEMORY_QUANTITY, parseBytes } from "./quantity";
import { LONGEST_TIER_SUFFIX, quorum, quorumFormula } from "./topology";

export const CONFIG_NAMESPACE = "kgents";

/** DNS-1123 label: what a Kubernetes namespace name must be. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Smallest NATS memory limit: GOMEMLIMIT (80%) must leave the Go runtime >= ~200 MiB. */
export const NATS_MIN_MEMORY = "256Mi";
/** Smallest Redis memory limit: maxmemory (75%) must stay above Redis' own overhead. */
export const REDIS_MIN_MEMORY = "64Mi";
/** Smallest gateway memory limit: Node with its clients needs ~100 MiB before serving. */
export const GATEWAY_MIN_MEMORY = "128Mi";

/**
 * An image reference pinned by tag or digest: [registry[:port]/]path[:tag][@sha256:digest] with
 * at least one of tag and digest (an untagged reference means :latest, which moves).
 */
const IMAGE_REF =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

// Pulumi passes every value as a string; Pulumi.yaml declares the type, these coerce strictly.
const integer = z.preprocess(
  (v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
  z.number({ error: "must be an integer" }).int({ error: "must be an integer" }),
);
const boolean = z.preprocess(
  (v) => (v === "true" ? true : v === "false" ? false : v),
  z.boolean({ error: "must be true or false" }),
);
const stringList = z.preprocess(
  (v) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  z.array(z.string(), { error: "must be a list of strings" }),
);
const memory = (min: string, why: string) =>
  z
    .string()
    .regex(MEMORY_QUANTITY, { error: "must be a memory quantity such as 512Mi or 2Gi" })
    .refine((q) => !MEMORY_QUANTITY.test(q) || parseBytes(q) >= parseBytes(min), {
      error: `must be at least ${min}: ${why}`,
    });
const storage = z
  .string()
  .regex(MEMORY_QUANTITY, { error: "must be a storage quantity such as 10Gi" })
  .refine((q) => !MEMORY_QUANTITY.test(q) || parseBytes(q) >= parseBytes("1Gi"), {
    error: "must be at least 1Gi",
  });
const cpu = z.string().regex(CPU_QUANTITY, { error: "must be a CPU quantity such as 250m or 1" });

/** A Go duration as nats-server parses it (time.ParseDuration), e.g. 10s, 2m, 1h30m. */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** nats-server's own default: what Jepsen found loses acknowledged writes on power loss. */
export const NATS_DEFAULT_SYNC_INTERVAL = "2m";
const syncInterval = z
  .string()
  .refine((v) => v === "always" || (GO_DURATION.test(v) && /[1-9]/.test(v)), {
    error:
      "must be always (fsync before every acknowledgement) or a positive Go duration such as 10s or 2m (flush interval)",
  });

const shape = {
  kubeconfig: z.string(),
  kubeContext: z.string(),
  namespacePrefix: z
    .string()
    .regex(DNS1123_LABEL, {
      error:
        "must be a DNS-1123 label (lower-case letters, digits, '-'; start and end alphanumeric)",
    })
    .max(63 - LONGEST_TIER_SUFFIX, {
      error: `must be at most ${63 - LONGEST_TIER_SUFFIX} characters (namespace names are DNS-1123 labels of at most 63)`,
    }),
  clusterDomain: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    error: "must be a DNS domain such as cluster.local",
  }),
  ingressNamespace: z.string().regex(DNS1123_LABEL, { error: "must be a DNS-1123 label" }),
  gatewayPort: integer.pipe(
    z
      .number()
      .min(1024, { error: "must be between 1024 and 65535 (pods run non-root)" })
      .max(65535, {
        error: "must be between 1024 and 65535 (pods run non-root)",
      }),
  ),
  extraFlows: stringList,
  gatewayImage: z
    .string()
    .regex(IMAGE_REF, { error: "must be an image reference such as registry/kgents-gateway:0.1.0" })
    .refine((v) => /:[^/]+$|@sha256:/.test(v), {
      error: "must pin a tag or a digest (an untagged image is :latest, which moves)",
    })
    .refine((v) => !/:latest$/.test(v), {
      error: "must pin a version, not :latest (it moves under a running Deployment)",
    }),
  gatewayReplicas: integer.pipe(
    z
      .number()
      .min(2, {
        error:
          "must be between 2 and 50: with one pod the disruption budget would block every drain",
      })
      .max(50, { error: "must be between 2 and 50" }),
  ),
  gatewayCpu: cpu,
  gatewayMemory: memory(GATEWAY_MIN_MEMORY, "Node and its NATS and Redis clients need ~100MiB"),
  natsReplicas: integer.pipe(
    z.number().refine((n) => n >= 3 && n <= 7 && n % 2 === 1, {
      error:
        "must be 3, 5 or 7: an odd count gives JetStream a clean quorum (2 or 4 servers tolerate no more failures than 1 or 3)",
    }),
  ),
  natsPdbMinAvailable: integer.pipe(
    z.number().min(0, { error: "must be 0 (quorum) or a positive count" }),
  ),
  natsCpu: cpu,
  natsMemory: memory(
    NATS_MIN_MEMORY,
    "GOMEMLIMIT is 80% of the limit and NATS needs ~200MiB of heap",
  ),
  natsStorage: storage,
  natsExporter: boolean,
  natsSyncInterval: syncInterval,
  redisCpu: cpu,
  redisMemory: memory(REDIS_MIN_MEMORY, "maxmemory is 75% of the limit"),
  redisStorage: storage,
  redisAppendOnly: boolean,
  redisAppendFsync: z.enum(["everysec", "always"], {
    error: "must be everysec (fsync once a second) or always (fsync before every reply)",
  }),
  storageClass: z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, {
    error: "must be empty (cluster default) or a DNS-1123 subdomain",
  }),
  spreadPolicy: z.enum(["soft", "hard"], {
    error: "must be soft (ScheduleAnyway) or hard (DoNotSchedule)",
  }),
  rolloutTimeoutMinutes: integer.pipe(
    z
      .number()
      .min(1, { error: "must be between 1 and 60" })
      .max(60, { error: "must be between 1 and 60" }),
  ),
  protectData: boolean,
};

const schema = z.strictObject(shape).superRefine((c, ctx) => {
  if (c.natsPdbMinAvailable !== 0) {
    const q = quorum(c.natsReplicas);
    if (c.natsPdbMinAvailable > c.natsReplicas) {
      ctx.addIssue({
        code: "custom",
        path: ["natsPdbMinAvailable"],
        message: `must not exceed natsReplicas (${c.natsReplicas})`,
      });
    } else if (c.natsPdbMinAvailable === c.natsReplicas) {
      ctx.addIssue({
        code: "custom",
        path: ["natsPdbMinAvailable"],
        message: `must be below natsReplicas (${c.natsReplicas}), or no node can ever be drained`,
      });
    } else if (c.natsPdbMinAvailable < q) {
      ctx.addIssue({
        code: "custom",
        path: ["natsPdbMinAvailable"],
        message: `must be at least the JetStream quorum ${quorumFormula(c.natsReplicas)} = ${q}`,
      });
    }
  }
  c.extraFlows.forEach((text, i) => {
    const parsed = parseExtraFlow(text);
    if (typeof parsed === "string") {
      ctx.addIssue({ code: "custom", path: ["extraFlows", i], message: parsed });
    }
  });
});

type Parsed = z.infer<typeof schema>;

/** The validated configuration of one stack. */
export interface StackConfig extends Omit<Parsed, "extraFlows" | "natsPdbMinAvailable"> {
  /** Extra flows, parsed. */
  readonly extraFlows: readonly Flow[];
  /** PDB minAvailable for NATS, resolved (0 in config means the quorum). */
  readonly natsPdbMinAvailable: number;
}

/** Every key the schema accepts (Pulumi.yaml must declare exactly these). */
export const CONFIG_KEYS: readonly string[] = Object.keys(shape);

export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/** A value as the user wrote it: numbers and booleans bare, other strings quoted. */
function show(v: unknown): string {
  if (v === undefined) return "(unset)";
  if (typeof v === "string" && /^(-?\d+|true|false)$/.test(v)) return v;
  return JSON.stringify(v);
}

/**
 * Parses raw config (keys with or without the `kgents:` prefix, values as Pulumi passes them)
 * into a StackConfig, or throws StackConfigError listing every problem as `key = value: rule`.
 */
export function parseStackConfig(raw: Readonly<Record<string, unknown>>): StackConfig {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = k.startsWith(`${CONFIG_NAMESPACE}:`) ? k.slice(CONFIG_NAMESPACE.length + 1) : k;
    input[key] = v;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map(
          (k) =>
            `${CONFIG_NAMESPACE}:${k} = ${show(input[k])}: unknown key (declared keys: ${CONFIG_KEYS.join(", ")})`,
        );
      }
      const [top, index] = issue.path;
      const key = String(top);
      let value = input[key];
      if (typeof index === "number") {
        value = tryList(value)?.[index] ?? value;
      }
      const rule =
        value === undefined ? "is required (declare a default in Pulumi.yaml)" : issue.message;
      const where = typeof index === "number" ? `${key}[${index}]` : key;
      return [`${CONFIG_NAMESPACE}:${where} = ${show(value)}: ${rule}`];
    });
    throw new StackConfigError(problems);
  }
  const c = result.data;
  return {
    ...c,
    natsPdbMinAvailable:
      c.natsPdbMinAvailable === 0 ? quorum(c.natsReplicas) : c.natsPdbMinAvailable,
    extraFlows: c.extraFlows.map((t) => parseExtraFlow(t) as Flow),
  };
}

/**
 * The warning `pulumi up` prints when JetStream acknowledges before it syncs (see README,
 * "Durability"), or undefined when natsSyncInterval is always.
 */
export function natsSyncWarning(c: Pick<StackConfig, "natsSyncInterval">): string | undefined {
  if (c.natsSyncInterval === "always") return undefined;
  return `${CONFIG_NAMESPACE}:natsSyncInterval = ${c.natsSyncInterval}: JetStream acknowledges writes before they are on disk; a power loss of a quorum of servers loses up to ${c.natsSyncInterval} of acknowledged messages (see README, Durability)`;
}

function tryList(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v as unknown[];
  if (typeof v !== "string") return undefined;
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
