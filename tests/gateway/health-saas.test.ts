// The gateway process on the real data tier (3-server NATS JetStream cluster + Redis, both fed the
// program's generated config): the /health/saas contract, the bound on calls to NATS and Redis
// under concurrent load (counted by the servers themselves), bad requests, SIGTERM drain, and a
// whole-NATS outage mid-run (503 within the timeout budget, never a hang, 200 again after); and
// the local load driver (vegeta) against it, as the baseline runner uses it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect as connectTcp } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { perSecond, recordFromVegeta } from "../../load/record";
import { attack, ensureVegeta, report, rows } from "../../load/vegeta";
import { REPO_ROOT } from "../harness/binaries";
import { startDataTier, type DataTier } from "../harness/data-tier";
import { dependencyCalls, GatewayProcess, metricValue } from "../harness/gateway-process";
import { LOOPBACK } from "../harness/ports";
import { sleep } from "../harness/process";

const CACHE_MS = 500;
const NATS_TIMEOUT_MS = 1_000;
const REDIS_TIMEOUT_MS = 500;
const HEADERS_TIMEOUT_MS = 1_000;
/** Scheduling slack on a shared 2-core machine. */
const SLACK_MS = 1_000;

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, "gateway", "package.json"), "utf8")) as {
    version: string;
  }
).version;

interface Report {
  status: string;
  checks: Record<string, { status: string; latencyMs: number; error?: string }>;
  version: string;
}

/** Sends raw bytes on a new connection; resolves with everything received until close. */
function raw(
  port: number,
  chunks: readonly string[],
  o: { gapMs?: number; timeoutMs?: number } = {},
): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const sock = connectTcp({ host: LOOPBACK, port });
    let text = "";
    let stopped = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no close within ${o.timeoutMs ?? 10_000} ms; got: ${text}`));
    }, o.timeoutMs ?? 10_000);
    sock.on("data", (d) => (text += d.toString("latin1")));
    sock.on("error", () => undefined);
    sock.on("close", () => {
      stopped = true;
      clearTimeout(timer);
      resolve({ text, ms: Date.now() - t0 });
    });
    sock.on("connect", () => {
      void (async () => {
        for (const c of chunks) {
          if (stopped) return;
          sock.write(c);
          if (o.gapMs) await sleep(o.gapMs);
        }
      })();
    });
  });
}

const statusOf = (rawResponse: string): number =>
  Number(/^HTTP\/1\.1 (\d{3})/.exec(rawResponse)?.[1]);

describe("gateway on the real data tier", () => {
  let tier: DataTier;
  let gw: GatewayProcess;

  beforeAll(async () => {
    tier = await startDataTier({ stack: "dev" });
    gw = await GatewayProcess.start(tier, {
      env: {
        HEALTH_CACHE_MS: String(CACHE_MS),
        HEALTH_NATS_TIMEOUT_MS: String(NATS_TIMEOUT_MS),
        HEALTH_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        REQUEST_TIMEOUT_MS: "2000",
      },
    });
  });

  afterAll(async () => {
    await gw?.close();
    await tier?.close();
  });

  it("answers 200 with both checks, their latency and the version", async () => {
    const r = await gw.get("/health/saas");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("cache-control")).toBe("no-store");
    const body = JSON.parse(r.body) as Report;
    expect(body.status).toBe("ok");
    expect(body.version).toBe(PACKAGE_VERSION);
    for (const dep of ["nats", "redis"]) {
      expect(body.checks[dep]?.status).toBe("ok");
      expect(body.checks[dep]?.latencyMs).toBeGreaterThanOrEqual(0);
      expect(body.checks[dep]?.latencyMs).toBeLessThan(NATS_TIMEOUT_MS);
    }
    expect(Object.keys(body.checks).sort()).toEqual(["nats", "redis"]);
    // HEAD: the same status and headers, no body.
    const head = await fetch(`${gw.url}/health/saas`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("bounds calls to NATS and Redis by the cache interval, not the request rate", async () => {
    const calls0 = await dependencyCalls(tier);
    const checks0 = metricValue(await gw.metrics(), "gateway_health_checks_total", {
      dependency: "redis",
    });
    const requests = 3_000;
    const concurrency = 50;
    let next = 0;
    let non200 = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next++;
          const res = await fetch(`${gw.url}/health/saas`);
          await res.arrayBuffer();
          if (res.status !== 200) non200++;
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    const calls1 = await dependencyCalls(tier);
    const pings = calls1.redisPings - calls0.redisPings;
    const api = calls1.jetstreamApiCalls - calls0.jetstreamApiCalls;
    const checks =
      metricValue(await gw.metrics(), "gateway_health_checks_total", { dependency: "redis" }) -
      checks0;
    // At most one check per cache interval, plus the one in flight at each end.
    const bound = Math.ceil((seconds * 1000) / CACHE_MS) + 2;
    console.log(
      `[gateway] ${requests} requests in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)} req/s, ${concurrency} concurrent): ` +
        `Redis PINGs ${pings} (${(pings / seconds).toFixed(2)}/s), JetStream API calls ${api} (${(api / seconds).toFixed(2)}/s), ` +
        `checks ${checks}; bound ${bound} (cache ${CACHE_MS} ms)`,
    );
    expect(non200).toBe(0);
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(pings).toBeLessThanOrEqual(bound);
    expect(api).toBeLessThanOrEqual(bound);
    expect(pings).toBe(checks);
  });

  it("is driven by the local load driver (vegeta) into a run record", async () => {
    await ensureVegeta();
    const dir = mkdtempSync(join(tmpdir(), "kgents-vegeta-"));
    try {
      const out = join(dir, "results.bin");
      await attack({
        url: `${gw.url}/health/saas`,
        rate: 50,
        durationS: 3,
        timeoutMs: 5_000,
        output: out,
      });
      const r = recordFromVegeta({
        stack: "dev",
        date: new Date(),
        tool: "vegeta",
        target: "/health/saas",
        rate: 50,
        report: await report(out),
        budgets: { p95Ms: 500, errorRate: 0.01, minAchievedRatio: 0.9 },
      });
      expect(r.requests).toBe(150);
      expect(r.statusCodes).toEqual({ "200": 150 });
      expect(r.errorRate).toBe(0);
      expect(r.rate.sent).toBeGreaterThan(49);
      expect(r.latencyMs.p50).toBeGreaterThan(0);
      expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
      expect(r.budgetsMet).toBe(true);
      const series = perSecond(await rows(out));
      expect(series.reduce((n, s) => n + s.requests, 0)).toBe(150);
      expect(series.length).toBeGreaterThanOrEqual(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses bad requests with their status codes and keeps serving", async () => {
    const port = gw.port;
    expect((await gw.get("/nope")).status).toBe(404);
    expect((await gw.get("/health")).status).toBe(404);
    const post = await fetch(`${gw.url}/health/saas`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const del = await fetch(`${gw.url}/livez`, { method: "DELETE" });
    expect(del.status).toBe(405);
    // A body on a GET is not read: 413 and the connection is closed.
    const withBody = await raw(port, [
      "GET /health/saas HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    ]);
    expect(statusOf(withBody.text)).toBe(413);
    // Headers past MAX_HEADER_BYTES (8 KiB default).
    const huge = await raw(port, [
      `GET /health/saas HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(32_000)}\r\n\r\n`,
    ]);
    expect(statusOf(huge.text)).toBe(431);
    // Not HTTP at all.
    const garbage = await raw(port, ["\x16\x03\x01 this is not http\r\n\r\n"]);
    expect(statusOf(garbage.text)).toBe(400);
    // Slowloris: one header line every 300 ms, never finishing; cut at HEADERS_TIMEOUT_MS.
    const lines = [
      "GET /health/saas HTTP/1.1\r\n",
      ...Array.from({ length: 40 }, (_, i) => `X-${i}: y\r\n`),
    ];
    const slow = await raw(port, lines, { gapMs: 300, timeoutMs: 10_000 });
    expect(statusOf(slow.text)).toBe(408);
    // Node checks for expired headers every min(1 s, HEADERS_TIMEOUT_MS).
    expect(slow.ms).toBeLessThan(HEADERS_TIMEOUT_MS + 1_000 + SLACK_MS);
    expect(slow.ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);

    expect(gw.proc.running).toBe(true);
    expect((await gw.get("/health/saas")).status).toBe(200);
    const m = await gw.metrics();
    expect(metricValue(m, "gateway_http_client_errors_total", { reason: "header-too-large" })).toBe(
      1,
    );
    expect(metricValue(m, "gateway_http_client_errors_total", { reason: "timeout" })).toBe(1);
    expect(metricValue(m, "gateway_http_client_errors_total", { reason: "malformed" })).toBe(1);
    expect(metricValue(m, "gateway_http_requests_total", { code: "405" })).toBe(2);
  });

  it("serves Prometheus metrics on its own port only", async () => {
    const m = await gw.metrics();
    expect(m).toContain("# TYPE gateway_http_requests_total counter");
    expect(m).toContain("# TYPE gateway_health_check_duration_seconds histogram");
    expect(metricValue(m, "gateway_dependency_up", { dependency: "nats" })).toBe(1);
    expect(m).toMatch(/^gateway_nodejs_eventloop_lag_seconds /m);
    expect((await gw.get("/metrics")).status).toBe(404);
    const other = await fetch(`${gw.metricsUrl}/health/saas`);
    expect(other.status).toBe(404);
  });

  it("drains on SIGTERM: readiness 503, requests still answered, exit 0", async () => {
    const g2 = await GatewayProcess.start(tier, { env: { SHUTDOWN_DELAY_MS: "1500" } });
    try {
      expect((await g2.get("/readyz")).status).toBe(200);
      const t0 = Date.now();
      g2.proc.signal("SIGTERM");
      await sleep(300);
      expect((await g2.get("/readyz")).status).toBe(503);
      expect((await g2.get("/livez")).status).toBe(200);
      expect((await g2.get("/health/saas")).status).toBe(200);
      const exit = await g2.proc.waitExit(10_000);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
      expect(g2.output()).toContain('"msg":"stopped"');
    } finally {
      await g2.close();
    }
  });

  it("answers 503 within its timeout budget while NATS is down, 200 after it returns; liveness 200 throughout", async () => {
    interface Sample {
      readonly at: number;
      readonly path: string;
      readonly status: number;
      readonly ms: number;
      readonly body: string;
    }
    const samples: Sample[] = [];
    let polling = true;
    const poll = async (path: string): Promise<void> => {
      while (polling) {
        const t0 = Date.now();
        let status = 0;
        let body: string;
        try {
          const r = await gw.get(path, 10_000);
          status = r.status;
          body = r.body;
        } catch (e) {
          body = (e as Error).message;
        }
        samples.push({ at: t0, path, status, ms: Date.now() - t0, body });
        await sleep(100);
      }
    };
    const pollers = [poll("/health/saas"), poll("/health/saas"), poll("/livez"), poll("/readyz")];
    try {
      await sleep(1_000);
      const stoppedAt = Date.now();
      await Promise.all(tier.nats.nodes.map((n) => tier.nats.kill(n.ordinal)));
      // Wait for the outage to show (bounded by the test's expectations below).
      for (let i = 0; i < 100 && !samples.some((s) => s.at > stoppedAt && s.status === 503); i++)
        await sleep(100);
      await sleep(3_000);
      const restartAt = Date.now();
      await Promise.all(tier.nats.nodes.map((n) => tier.nats.startServer(n.ordinal)));
      const backAt = Date.now();
      for (
        let i = 0;
        i < 300 &&
        !samples.some((s) => s.at > backAt && s.path === "/health/saas" && s.status === 200);
        i++
      )
        await sleep(100);
      await sleep(500);
      polling = false;
      await Promise.all(pollers);

      const health = samples.filter((s) => s.path === "/health/saas");
      const during = health.filter((s) => s.at > stoppedAt && s.at < restartAt);
      const first503 = during.find((s) => s.status === 503);
      const firstBack = health.find((s) => s.at > backAt && s.status === 200);
      console.log(
        `[gateway] NATS down: first 503 after ${first503 ? first503.at + first503.ms - stoppedAt : "never"} ms; ` +
          `slowest health answer ${Math.max(...health.map((s) => s.ms))} ms; ` +
          `NATS restart took ${backAt - restartAt} ms; 200 again ${firstBack ? firstBack.at + firstBack.ms - backAt : "never"} ms after`,
      );
      // Every answer arrived within the NATS timeout (+ slack): no request hangs.
      for (const s of health)
        expect(s.ms, JSON.stringify(s)).toBeLessThan(NATS_TIMEOUT_MS + SLACK_MS);
      // Only 200 or 503, never an error or a dropped connection.
      for (const s of health) expect([200, 503], JSON.stringify(s)).toContain(s.status);
      expect(first503).toBeDefined();
      // The outage shows within one cache interval plus one check timeout.
      expect((first503 as Sample).at + (first503 as Sample).ms - stoppedAt).toBeLessThan(
        CACHE_MS + NATS_TIMEOUT_MS + SLACK_MS,
      );
      const report = JSON.parse((first503 as Sample).body) as Report;
      expect(report.status).toBe("degraded");
      expect(report.checks.nats?.status).toBe("fail");
      expect(report.checks.redis?.status).toBe("ok");
      expect(firstBack).toBeDefined();
      // Liveness and readiness never depended on NATS.
      const probes = samples.filter((s) => s.path !== "/health/saas");
      expect(probes.length).toBeGreaterThan(20);
      for (const s of probes) expect(s.status, JSON.stringify(s)).toBe(200);
      expect(gw.proc.running).toBe(true);
    } finally {
      polling = false;
      await Promise.all(pollers);
    }
  });
});

describe("gateway configuration at start-up", () => {
  it("exits 2 naming each bad variable, its value and the rule, and never prints a secret", async () => {
    const { ManagedProcess } = await import("../harness/process");
    const { GATEWAY_MAIN } = await import("../harness/gateway-process");
    const secret = "s3cr3t-never-printed";
    const p = ManagedProcess.start(
      "gateway-bad-env",
      process.execPath,
      ["--import", "tsx", GATEWAY_MAIN],
      {
        cwd: REPO_ROOT,
        env: {
          NATS_URL: "http://127.0.0.1:4222",
          NATS_USER: "gateway",
          NATS_PASSWORD: secret,
          REDIS_URL: `redis://user:${secret}@127.0.0.1:6379`,
          REDIS_PASSWORD: secret,
          GATEWAY_PORT: "99999",
          HEALTH_CACHE_MS: "soon",
        },
      },
    );
    const exit = await p.waitExit(60_000);
    expect(exit).toEqual({ code: 2, signal: null });
    const out = p.output();
    expect(out).toContain('NATS_URL = "http://127.0.0.1:4222": must use the scheme nats or tls');
    expect(out).toContain('GATEWAY_PORT = "99999": must be between 1 and 65535 (a TCP port)');
    expect(out).toContain('HEALTH_CACHE_MS = "soon": must be an integer milliseconds');
    expect(out).toContain(
      'REDIS_URL = "redis://user:***@127.0.0.1:6379": must not carry credentials (set them in their own variables)',
    );
    expect(out).not.toContain(secret);
  });
});
