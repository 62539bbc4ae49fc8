// HTTP written by hand on one socket: a request sent in parts (a slow client, or one that began
// before shutdown), and the answer as the server wrote it.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent on the connection. */
  raw: string;
  /** Milliseconds from opening the socket to the server closing it. */
  ms: number;
}

export interface RawConnection {
  write(text: string): void;
  /** Closes the connection from the client's side at once (a client that gives up). */
  destroy(): void;
  /** Everything the server sent, once it closed the connection. */
  answer: Promise<RawAnswer>;
}

export async function openRaw(base: string): Promise<RawConnection> {
  const { hostname, port } = new URL(base);
  const t0 = Date.now();
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  let data = '';
  socket.on('data', (d) => (data += d));
  const answer = new Promise<RawAnswer>((r) =>
    socket.once('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])
      );
      r({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: rest.join('\r\n\r\n'),
        raw: data,
        ms: Date.now() - t0,
      });
    })
  );
  socket.on('error', () => undefined);
  return { write: (text) => socket.write(text), destroy: () => socket.destroy(), answer };
}
