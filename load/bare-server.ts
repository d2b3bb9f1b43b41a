// The ceiling for capacity runs: a bare Node http server that answers every request with a
// constant body (the gateway's own healthy answer, so the same size) and the same headers. What
// the gateway does beyond this (routing, limits, metrics, the cached check) is what capacity vs
// ceiling measures. Env: PORT, HOST, BODY_BASE64.
import { createServer } from "node:http";

const body = Buffer.from(process.env.BODY_BASE64 ?? "", "base64");
const server = createServer((_req, res) => {
  res.statusCode = 200;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", body.length);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1", () => {
  process.stdout.write(`listening on ${process.env.PORT}, body ${body.length} bytes\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
