// Free loopback ports for the harness. All requested ports are held open together while the
// kernel picks them, so one call never returns the same port twice.
import { createServer, type Server } from "node:net";

export const LOOPBACK = "127.0.0.1";

export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(0, LOOPBACK, () => resolve());
      });
      const addr = s.address();
      if (addr === null || typeof addr === "string") throw new Error("no TCP address");
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
