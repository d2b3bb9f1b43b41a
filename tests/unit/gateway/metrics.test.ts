// The gateway's metrics: requests counted by route, method and code (methods folded so a client
// cannot grow the series), and the in-flight gauge read from the server's counter at scrape time.
import { describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../../gateway/src/metrics";

const sample = async (m: GatewayMetrics, name: string): Promise<string> =>
  (await m.registry.getSingleMetricAsString(name))
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");

describe("gateway metrics", () => {
  it("reports the requests in flight at the moment of the scrape", async () => {
    let inFlight = 3;
    const m = new GatewayMetrics(() => inFlight);
    expect(await sample(m, "gateway_http_requests_in_flight")).toBe(
      "gateway_http_requests_in_flight 3",
    );
    inFlight = 0;
    expect(await sample(m, "gateway_http_requests_in_flight")).toBe(
      "gateway_http_requests_in_flight 0",
    );
  });

  it("counts requests per route, method and code, folding unusual methods", async () => {
    const m = new GatewayMetrics();
    m.observeRequest("/health/saas", "GET", 200, 0.001);
    m.observeRequest("/health/saas", "GET", 200, 0.002);
    m.observeRequest("other", "PROPFIND", 405, 0.001);
    m.observeRequest("other", "BREW", 405, 0.001);
    const text = await sample(m, "gateway_http_requests_total");
    expect(text).toContain(
      'gateway_http_requests_total{route="/health/saas",method="GET",code="200"} 2',
    );
    expect(text).toContain(
      'gateway_http_requests_total{route="other",method="other",code="405"} 2',
    );
    expect(text).not.toContain("PROPFIND");
    const hist = await sample(m, "gateway_http_request_duration_seconds");
    expect(hist).toContain('gateway_http_request_duration_seconds_count{route="/health/saas"} 2');
  });
});
