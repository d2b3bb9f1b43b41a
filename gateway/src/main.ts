// Entry point: environment → validated config → dependency clients → listeners; SIGTERM and
// SIGINT drain and exit 0. A bad environment exits 2 before anything listens, naming each bad
// variable. Logs are JSON lines on stdout; they never carry a secret.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NatsCheck, RedisCheck } from "./checks";
import { GatewayConfigError, parseGatewayConfig } from "./config";
import { Gateway, type Log } from "./server";

const log: Log = (msg, fields = {}) => {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }) + "\n");
};

/** The package version; this file runs from src/ (tsx) or dist/ (compiled), both beside it. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "0.0.0";
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseGatewayConfig(process.env, packageVersion());
  } catch (e) {
    if (e instanceof GatewayConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const gateway = new Gateway(config, {
    nats: new NatsCheck({
      servers: config.nats.servers,
      user: config.nats.user,
      password: config.nats.password,
      timeoutMs: config.timeouts.natsMs,
    }),
    redis: new RedisCheck({
      url: config.redis.url,
      password: config.redis.password,
      timeoutMs: config.timeouts.redisMs,
    }),
    log,
  });
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      gateway.shutdown(sig).then(
        () => process.exit(0),
        (e: unknown) => {
          log("shutdown failed", { error: String(e) });
          process.exit(1);
        },
      );
    });
  }
  const ports = await gateway.listen();
  log("listening", {
    host: config.host,
    ...ports,
    version: config.version,
    nats: config.nats.servers,
    redis: config.redis.url,
    cacheMs: config.cacheMs,
    timeouts: config.timeouts,
  });
}

main().catch((e: unknown) => {
  log("fatal", { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
