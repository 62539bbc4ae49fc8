// The app's settings through Grafana's plugin settings API: jsonData is readable, secureJsonData is
// write-only (Grafana answers which secrets are set in secureJsonFields, never their values).
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { toApiError } from './errors';
import { SETTINGS_URL } from './paths';

export interface AppJsonData {
  serviceUrl?: string;
}

export interface AppSecureJsonData {
  readSecret?: string;
  adminSecret?: string;
}

export type SecretName = keyof AppSecureJsonData;

export interface SaveSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Only secrets being set; a secret left out keeps its stored value. */
  secureJsonData?: AppSecureJsonData;
  /** Secrets to clear: Grafana removes a secure field sent as an empty string. */
  reset?: SecretName[];
}

/** A service URL must be absolute http(s) with no query or fragment: the routes append paths to it. */
export function serviceUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return 'Enter an absolute URL such as http://matview-ops:8787.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `The service URL must start with http:// or https://, not ${url.protocol}//.`;
  }
  if (url.search || url.hash || url.username || url.password) {
    return 'The service URL must not contain a query, a fragment or credentials.';
  }
  return undefined;
}

/** Trailing slashes are dropped: the proxy routes join `{{ .JsonData.serviceUrl }}/api/...`. */
export const normaliseServiceUrl = (raw: string): string => raw.trim().replace(/\/+$/, '');

export async function saveSettings(s: SaveSettings): Promise<void> {
  const secure: Record<string, string> = { ...(s.secureJsonData as Record<string, string>) };
  for (const name of s.reset ?? []) {
    secure[name] = '';
  }
  try {
    await lastValueFrom(
      getBackendSrv().fetch({
        url: SETTINGS_URL,
        method: 'POST',
        data: { enabled: s.enabled, pinned: s.pinned, jsonData: s.jsonData, secureJsonData: secure },
        showErrorAlert: false,
      })
    );
  } catch (err) {
    throw toApiError(err);
  }
}
