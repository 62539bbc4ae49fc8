// The service records a name it could not verify (no signed Grafana identity) with this suffix, so
// the log never presents a claim as a fact (server/src/auth/identity.ts). The pages show it apart.
const UNVERIFIED = ' (unverified)';

export interface Requester {
  name: string;
  verified: boolean;
}

export function parseRequester(requestedBy: string | null | undefined): Requester | null {
  if (!requestedBy) {
    return null;
  }
  return requestedBy.endsWith(UNVERIFIED)
    ? { name: requestedBy.slice(0, -UNVERIFIED.length), verified: false }
    : { name: requestedBy, verified: true };
}
