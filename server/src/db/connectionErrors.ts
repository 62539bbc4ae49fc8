// Turns driver and server errors met while connecting into one sentence an operator can act on.

interface PgLikeError {
  code?: string;
  message?: string;
}

export function describeConnectionError(err: unknown, target: string): string {
  const e = (err ?? {}) as PgLikeError;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `Cannot connect to PostgreSQL at ${target}: connection refused. Is the server running and listening there?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot connect to PostgreSQL at ${target}: the host name does not resolve.`;
    case 'ETIMEDOUT':
      return `Cannot connect to PostgreSQL at ${target}: the connection timed out.`;
    case '3D000':
      return `PostgreSQL at ${target} is reachable but the database does not exist: ${e.message}. Create it first (createdb).`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${target} refused the login: ${e.message}.`;
    default:
      return `Cannot connect to PostgreSQL at ${target}: ${e.message ?? String(err)}`;
  }
}

/** host:port/database of a connection URL, never its password. */
export function describeTarget(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
