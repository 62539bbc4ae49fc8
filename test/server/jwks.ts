// A stand-in for Grafana's /api/signing-keys/keys: a local JWKS with a fresh ES256 key, and tokens
// signed with it (or with a key it does not publish).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';

export interface SignOptions {
  foreignKey?: boolean;
  /** A key id the key set does not publish. */
  kid?: string;
  expiresIn?: string;
  issuer?: string;
}

/** ok: serve the keys; error: answer 500; hang: accept and never answer. */
export type JwksMode = 'ok' | 'error' | 'hang';

export interface FakeGrafana {
  jwksUrl: string;
  setMode(mode: JwksMode): void;
  sign(claims: Record<string, unknown>, opts?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startFakeGrafanaJwks(): Promise<FakeGrafana> {
  const published = await generateKeyPair('ES256');
  const foreign = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  let mode: JwksMode = 'ok';
  const server: Server = createServer((req, res) => {
    if (mode === 'hang') {
      return;
    }
    res.statusCode = mode === 'error' ? 500 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(mode === 'error' ? '{"message":"internal"}' : JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const sign = async (claims: Record<string, unknown>, opts: SignOptions = {}) => {
    const key: KeyLike = opts.foreignKey ? foreign.privateKey : published.privateKey;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'test-key', typ: 'jwt' })
      .setIssuedAt()
      .setIssuer(opts.issuer ?? 'http://grafana.test/')
      .setExpirationTime(opts.expiresIn ?? '5m')
      .sign(key);
  };
  return {
    jwksUrl: `http://127.0.0.1:${port}/api/signing-keys/keys`,
    setMode: (m) => (mode = m),
    sign,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
