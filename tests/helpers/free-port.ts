/**
 * A TCP port free on 127.0.0.1 right now, for a child process that must be told its port up front
 * (METRICS_PORT, Slack's PORT): asked of the system, then released for the child to take.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
