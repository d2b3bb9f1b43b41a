// Images pinned in one place. The real-server tests run the same NATS and Redis versions
// (tools/versions.env pins the locally built nats-server; tests check the two agree).

/** NATS server version: the image deployed and the binary the real-server tests run. */
export const NATS_VERSION = "2.14.9";
/** Redis major.minor.patch: BSD-licensed 7.0 line, same as the Debian package used locally. */
export const REDIS_VERSION = "7.0.15";
/** prometheus-nats-exporter sidecar (prod). */
export const NATS_EXPORTER_VERSION = "0.17.3";

export const IMAGES = {
  nats: `nats:${NATS_VERSION}-alpine`,
  natsExporter: `natsio/prometheus-nats-exporter:${NATS_EXPORTER_VERSION}`,
  redis: `redis:${REDIS_VERSION}-alpine`,
} as const;
