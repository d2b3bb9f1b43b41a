// lib/redact.ts: no Secret value survives rendering; other objects pass unchanged.
import { describe, expect, it } from "vitest";
import { REDACTED, REDACTED_B64, redactSecrets } from "../../../lib/redact";

const secret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "nats-auth",
    namespace: "kgents-agents",
    annotations: {
      "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"c2VjcmV0"}}',
      keep: "me",
    },
  },
  type: "Opaque",
  data: { password: "c2VjcmV0", routes: "cm91dGVz" },
  stringData: { "redis.conf": "requirepass hunter2" },
};

describe("redactSecrets", () => {
  it("replaces every data and stringData value and keeps the keys", () => {
    const r = redactSecrets(secret) as typeof secret;
    expect(r.data).toEqual({ password: REDACTED_B64, routes: REDACTED_B64 });
    expect(r.stringData).toEqual({ "redis.conf": REDACTED });
    expect(Buffer.from(REDACTED_B64, "base64").toString()).toBe(REDACTED);
  });

  it("drops the last-applied annotation, which would carry the values again", () => {
    const r = redactSecrets(secret) as typeof secret;
    expect(r.metadata.annotations).toEqual({ keep: "me" });
    expect(JSON.stringify(r)).not.toMatch(/c2VjcmV0|cm91dGVz|hunter2/);
  });

  it("does not change the input object", () => {
    const copy = structuredClone(secret);
    redactSecrets(secret);
    expect(secret).toEqual(copy);
  });

  it("returns other kinds unchanged", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", data: { "nats.conf": "port: 4222" } };
    expect(redactSecrets(cm)).toBe(cm);
  });
});
