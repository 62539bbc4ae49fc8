// The Grafana users the host can sign in: one per org role. A browser context picks one with the
// session cookie (Grafana's own session cookie is opaque; this one names the user, since the host
// has no login form and nothing here is secret).
import type { SignedInUser } from '../../grafana/pluginProxy';

export const SESSION_COOKIE = 'grafana_session';

export type HostUserKey = 'admin' | 'editor' | 'viewer';

export const HOST_USERS: Record<HostUserKey, SignedInUser> = {
  admin: {
    login: 'ada.admin',
    name: 'Ada Admin',
    email: 'ada.admin@example.com',
    orgRole: 'Admin',
    userId: 1,
    uid: 'u-ada-admin',
    orgId: 1,
    orgName: 'Main Org.',
  },
  editor: {
    login: 'ed.editor',
    name: 'Ed Editor',
    email: 'ed.editor@example.com',
    orgRole: 'Editor',
    userId: 2,
    uid: 'u-ed-editor',
    orgId: 1,
    orgName: 'Main Org.',
  },
  viewer: {
    login: 'vera.viewer',
    name: 'Vera Viewer',
    email: 'vera.viewer@example.com',
    orgRole: 'Viewer',
    userId: 3,
    uid: 'u-vera-viewer',
    orgId: 1,
    orgName: 'Main Org.',
  },
};

const isUserKey = (v: string): v is HostUserKey => Object.hasOwn(HOST_USERS, v);

/** The signed-in user named by the request's session cookie, or null (not signed in). */
export function userFromCookie(cookieHeader: string | undefined): { key: HostUserKey; user: SignedInUser } | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = decodeURIComponent(rest.join('='));
    if (name === SESSION_COOKIE && isUserKey(value)) {
      return { key: value, user: HOST_USERS[value] };
    }
  }
  return null;
}
