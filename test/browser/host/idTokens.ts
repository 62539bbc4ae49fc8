// Grafana's ID forwarding: an ES256 token for the signed-in user on every proxied request, verifiable
// against the key set at /api/signing-keys/keys. Claims as Grafana signs them
// (pkg/services/auth/idimpl/service.go SignIdentity with grafana/authlib IDTokenClaims): iss is the
// root URL, aud "org:<id>", sub "user:<uid>", 10 minutes of validity, and the user's login as
// `username`, which the refresh service records as who asked.
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import type { SignedInUser } from '../../grafana/pluginProxy';

const KEY_ID = 'matviewops-browser-host';
const TOKEN_TTL_S = 600;

export interface IdTokenSigner {
  /** The JWKS document GET /api/signing-keys/keys answers. */
  keySet: { keys: JWK[] };
  issuer: string;
  audience: (orgId: number) => string;
  sign(user: SignedInUser): Promise<string>;
}

export async function createIdTokenSigner(issuer: string): Promise<IdTokenSigner> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'ES256', use: 'sig' };
  const audience = (orgId: number) => `org:${orgId}`;
  const sign = (user: SignedInUser) => signFor(user, privateKey, issuer, audience(user.orgId ?? 1));
  return { keySet: { keys: [jwk] }, issuer, audience, sign };
}

function signFor(user: SignedInUser, key: KeyLike, issuer: string, audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    namespace: 'default',
    identifier: user.uid,
    type: 'user',
    email: user.email,
    email_verified: false,
    authenticatedBy: 'password',
    username: user.login,
    name: user.name,
    role: user.orgRole,
  })
    .setProtectedHeader({ alg: 'ES256', kid: KEY_ID, typ: 'jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(`user:${user.uid}`)
    .setIssuedAt(now)
    .setExpirationTime(now + TOKEN_TTL_S)
    .sign(key);
}
