// The app's settings through Grafana's plugin settings API (pkg/api/plugins.go). jsonData is readable;
// secureJsonData is write-only: GET answers secureJsonFields, which secrets hold a non-empty value.
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { toApiError } from './errors';
import { QUIET } from './fetchOptions';
import { SETTINGS_URL } from './paths';

export interface AppJsonData {
  serviceUrl?: string;
}

export interface AppSecureJsonData {
  readSecret?: string;
  adminSecret?: string;
}

export type SecretName = keyof AppSecureJsonData;

export const SECRET_NAMES: readonly SecretName[] = ['readSecret', 'adminSecret'];

/** What GET /api/plugins/<id>/settings says about the app (the fields this page uses). */
export interface StoredSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  secureJsonFields: Partial<Record<SecretName, boolean>>;
}

/**
 * Grafana replaces enabled, pinned and the whole jsonData with what is sent (send them all, or the app
 * is disabled and other keys are lost), and merges secureJsonData into the stored secrets key by key.
 */
export interface SaveSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Only secrets being set; a secret left out keeps its stored value. */
  secureJsonData?: AppSecureJsonData;
  /**
   * Secrets to clear. Grafana has no delete: it stores the empty string sent for them, reports them as
   * not set in secureJsonFields (it lists only non-empty values) and the proxy then sends an empty header.
   * A secret also being set in secureJsonData is set, not cleared.
   */
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

/** The request body of POST /api/plugins/<id>/settings (pluginsettings.UpdatePluginSettingCmd). */
export function settingsBody(s: SaveSettings) {
  const secure: Record<string, string> = {};
  for (const name of SECRET_NAMES) {
    const value = s.secureJsonData?.[name];
    if (value !== undefined && value !== '') {
      secure[name] = value;
    } else if (s.reset?.includes(name)) {
      secure[name] = '';
    }
  }
  return { enabled: s.enabled, pinned: s.pinned, jsonData: s.jsonData, secureJsonData: secure };
}

export async function saveSettings(s: SaveSettings): Promise<void> {
  try {
    await lastValueFrom(
      getBackendSrv().fetch({
        url: SETTINGS_URL,
        method: 'POST',
        data: settingsBody(s),
        ...QUIET,
        showSuccessAlert: false,
      })
    );
  } catch (err) {
    throw toApiError(err);
  }
}

interface SettingsAnswer {
  enabled?: boolean;
  pinned?: boolean;
  jsonData?: AppJsonData | null;
  secureJsonFields?: Record<string, boolean> | null;
}

/** The stored settings, as Grafana's own config page loads them; never any secret's value. */
export async function loadSettings(): Promise<StoredSettings> {
  try {
    const { data } = await lastValueFrom(
      getBackendSrv().fetch<SettingsAnswer>({ url: SETTINGS_URL, method: 'GET', ...QUIET })
    );
    return fromAnswer(data);
  } catch (err) {
    throw toApiError(err);
  }
}

/** Keeps only what this page uses: a secret counts as set when Grafana says `true` for it. */
export function fromAnswer(a: SettingsAnswer): StoredSettings {
  const fields: StoredSettings['secureJsonFields'] = {};
  for (const name of SECRET_NAMES) {
    fields[name] = a.secureJsonFields?.[name] === true;
  }
  return {
    enabled: a.enabled === true,
    pinned: a.pinned === true,
    jsonData: a.jsonData ?? {},
    secureJsonFields: fields,
  };
}
