// A redis-server of the test's own on a free loopback port, stopped by its PID.
import { spawn } from "node:child_process";
import { createConnection, createServer } from "node:net";

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("error", () => resolve(false));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

/** Starts redis-server; resolves to `{ url, stop() }`. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  for (let tries = 0; tries < 200; tries += 1) {
    if (await ping(port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          process.kill(child.pid, "SIGTERM");
          await exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(child.pid, "SIGKILL");
  throw new Error(`redis-server did not answer on port ${port}`);
}
