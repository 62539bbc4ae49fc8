// SCRAM-SHA-256 verifiers computed here, so `ALTER ROLE ... PASSWORD` carries a verifier and the plain password
// never reaches the server (nor its statement log). Same format and derivation as PostgreSQL's
// scram_build_secret (RFC 5802, RFC 7677): SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import saslprep from '@mongodb-js/saslprep';

/** PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;
const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

// PostgreSQL prepares the password with SASLprep and, when that fails (prohibited or unassigned characters),
// uses it as it is; clients (libpq, pg) prepare it the same way, so the verifier must too.
function prepare(password: string): string {
  try {
    return saslprep(password);
  } catch {
    return password;
  }
}

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(prepare(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** A new verifier for the password, with a random salt. */
export function scramVerifier(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  const { storedKey, serverKey } = keys(password, salt, ITERATIONS);
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Whether a stored verifier (pg_authid.rolpassword) was made from this password; false for md5, NULL or junk. */
export function verifierMatches(stored: string | null, password: string): boolean {
  const m = stored ? VERIFIER.exec(stored) : null;
  if (!m) {
    return false;
  }
  const { storedKey, serverKey } = keys(password, Buffer.from(m[2], 'base64'), Number(m[1]));
  const expected = Buffer.concat([storedKey, serverKey]);
  const actual = Buffer.concat([Buffer.from(m[3], 'base64'), Buffer.from(m[4], 'base64')]);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
