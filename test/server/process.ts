// The refresh service as `npm run server` runs it (tsx server/src/server.ts), in a child process.
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { serviceLaunch } from '../harness/serviceLaunch';

export interface ServerProcess {
  child: ChildProcess;
  /** Exit code (null when killed by a signal) and when it happened (Date.now()). */
  exited: Promise<{ code: number | null; at: number }>;
  output(): string;
}

export function spawnServer(env: Record<string, string>): ServerProcess {
  // Only what the test gives: no .env or developer variables leak in.
  const launch = serviceLaunch(env);
  const child = launch.spawn();
  child.on('exit', () => launch.cleanup());
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; at: number }>((r) =>
    child.on('exit', (code) => r({ code, at: Date.now() }))
  );
  return { child, exited, output: () => out };
}

/** True when something accepts TCP connections on the port. */
export function accepting(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}
