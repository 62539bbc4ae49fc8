// A fresh key per refresh the person confirms (the service keys are printable ASCII, up to 200 chars).
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  // Grafana served over plain http on a LAN address is not a secure context: no randomUUID there.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
