// Gateway configuration from the environment: defaults, every rule with the variable, value and
// rule named, and secrets never shown.
import { describe, expect, it } from "vitest";
import { GatewayConfigError, parseGatewayConfig } from "../../../gateway/src/config";

const ENV = {
  NATS_URL: "nats://nats-0.nats:4222, nats://nats-1.nats:4222",
  NATS_USER: "gateway",
  NATS_PASSWORD: "n-secret",
  REDIS_URL: "redis://redis.kgents-triad.svc:6379",
  REDIS_PASSWORD: "r-secret",
};

function problems(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseGatewayConfig(env, "1.2.3");
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayConfigError);
    return (e as GatewayConfigError).problems;
  }
  throw new Error("expected a GatewayConfigError");
}

describe("gateway config", () => {
  it("applies the defaults and splits the NATS URL list", () => {
    const c = parseGatewayConfig(ENV, "1.2.3");
    expect(c).toEqual({
      host: "0.0.0.0",
      port: 8080,
      metricsPort: 9464,
      nats: {
        servers: ["nats://nats-0.nats:4222", "nats://nats-1.nats:4222"],
        user: "gateway",
        password: "n-secret",
      },
      redis: { url: "redis://redis.kgents-triad.svc:6379", password: "r-secret" },
      timeouts: {
        natsMs: 1000,
        redisMs: 500,
        headersMs: 5000,
        requestMs: 10000,
        keepAliveMs: 65000,
      },
      cacheMs: 1000,
      maxHeaderBytes: 8192,
      shutdown: { delayMs: 5000, timeoutMs: 10000 },
      version: "1.2.3",
    });
    expect(parseGatewayConfig({ ...ENV, GATEWAY_VERSION: "abc" }, "1.2.3").version).toBe("abc");
  });

  it("names every missing variable", () => {
    expect(problems({})).toEqual([
      "NATS_URL = (unset): is required",
      "NATS_USER = (unset): is required",
      "NATS_PASSWORD = (unset): is required",
      "REDIS_URL = (unset): is required",
      "REDIS_PASSWORD = (unset): is required",
    ]);
  });

  it("names the variable, the value and the rule; hides secrets", () => {
    const p = problems({
      ...ENV,
      NATS_URL: "nats://ok:4222,http://x:1",
      REDIS_URL: "redis://u:r-secret@h:6379",
      NATS_PASSWORD: "",
      GATEWAY_PORT: "0",
      HEALTH_NATS_TIMEOUT_MS: "1.5",
      MAX_HEADER_BYTES: "100",
    });
    expect(p).toEqual([
      'GATEWAY_PORT = "0": must be between 1 and 65535 (a TCP port)',
      'NATS_URL = "nats://ok:4222,http://x:1": must use the scheme nats or tls',
      "NATS_PASSWORD = (secret, hidden): must not be empty",
      'REDIS_URL = "redis://u:***@h:6379": must not carry credentials (set them in their own variables)',
      'HEALTH_NATS_TIMEOUT_MS = "1.5": must be an integer milliseconds',
      'MAX_HEADER_BYTES = "100": must be between 1024 and 65536 bytes',
    ]);
    expect(p.join("\n")).not.toContain("r-secret");
  });

  it("checks the rules between variables", () => {
    expect(problems({ ...ENV, GATEWAY_PORT: "9000", METRICS_PORT: "9000" })).toEqual([
      "METRICS_PORT = 9000: must differ from GATEWAY_PORT",
    ]);
    expect(problems({ ...ENV, HEADERS_TIMEOUT_MS: "20000", REQUEST_TIMEOUT_MS: "10000" })).toEqual([
      "HEADERS_TIMEOUT_MS = 20000: must not exceed REQUEST_TIMEOUT_MS (10000)",
    ]);
  });
});
