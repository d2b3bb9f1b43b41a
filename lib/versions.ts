// Versions pinned in one place, tools/versions.env (shell-sourceable KEY=value lines), read here
// for the images the program deploys: the NATS image runs exactly the nats-server the
// real-server tests run.
import * as fs from "node:fs";
import * as path from "node:path";

/** Path of the versions file, from the repository root. */
export const VERSIONS_FILE = path.join("tools", "versions.env");

/** Parses KEY=value lines (comments and blank lines skipped); throws on anything else. */
export function parseVersionsFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split("\n").forEach((line, i) => {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) return;
    const m = /^([A-Z][A-Z0-9_]*)=([A-Za-z0-9._+-]+)$/.exec(t);
    if (!m) throw new Error(`${VERSIONS_FILE} line ${i + 1}: "${t}" is not a KEY=value line`);
    out[m[1] as string] = m[2] as string;
  });
  return out;
}

/** Every pin of the versions file. */
export const VERSIONS = parseVersionsFile(
  fs.readFileSync(path.join(__dirname, "..", VERSIONS_FILE), "utf8"),
);

function pin(key: string): string {
  const v = VERSIONS[key];
  if (v === undefined) throw new Error(`${VERSIONS_FILE} has no ${key}`);
  return v.replace(/^v/, "");
}

/** NATS server version: the image deployed and the binary the real-server tests run. */
export const NATS_VERSION = pin("NATS_SERVER_VERSION");
/** Redis major.minor.patch: BSD-licensed 7.0 line, same as the Debian package used locally. */
export const REDIS_VERSION = pin("REDIS_VERSION");
/** prometheus-nats-exporter sidecar (prod). */
export const NATS_EXPORTER_VERSION = pin("NATS_EXPORTER_VERSION");

export const IMAGES = {
  nats: `nats:${NATS_VERSION}-alpine`,
  natsExporter: `natsio/prometheus-nats-exporter:${NATS_EXPORTER_VERSION}`,
  redis: `redis:${REDIS_VERSION}-alpine`,
} as const;
