// The service's two secrets in the specs' runs (at least 16 characters and different, as the
// service requires). Settings specs type them into the config page; the host provisions them.
export const READ_SECRET = 'browser-read-secret-0123456789';
export const ADMIN_SECRET = 'browser-admin-secret-0123456789';
