// The config page's form as plain data: what is stored, what the user changed, and what Save sends.
import {
  normaliseServiceUrl,
  SECRET_NAMES,
  type SaveSettings,
  type SecretName,
  type StoredSettings,
} from '../../api/settings';

export interface FormState {
  serviceUrl: string;
  /** Typed secrets; never filled from Grafana, which does not give their values back. */
  secrets: Record<SecretName, string>;
  /** Secrets the user reset (cleared) and has not retyped. */
  reset: Record<SecretName, boolean>;
}

export const initialForm = (stored: StoredSettings): FormState => ({
  serviceUrl: stored.jsonData.serviceUrl ?? '',
  secrets: { readSecret: '', adminSecret: '' },
  reset: { readSecret: false, adminSecret: false },
});

// HTTP drops a header value's surrounding spaces anyway, so a pasted newline would never match.
const typed = (form: FormState, name: SecretName): string => form.secrets[name].trim();

/** Whether the secret field shows "configured" (stored and not reset). */
export const isConfigured = (stored: StoredSettings, form: FormState, name: SecretName): boolean =>
  stored.secureJsonFields[name] === true && !form.reset[name];

/** Anything Save would change: the proxy uses the stored settings until then. */
export function hasUnsavedChanges(stored: StoredSettings, form: FormState): boolean {
  if (normaliseServiceUrl(form.serviceUrl) !== (stored.jsonData.serviceUrl ?? '')) {
    return true;
  }
  return SECRET_NAMES.some(
    (name) => typed(form, name) !== '' || (form.reset[name] && stored.secureJsonFields[name] === true)
  );
}

/** What Save sends: enabled, pinned and other jsonData keys as stored, since Grafana replaces them. */
export function toSave(stored: StoredSettings, form: FormState): SaveSettings {
  const secureJsonData: SaveSettings['secureJsonData'] = {};
  const reset: SecretName[] = [];
  for (const name of SECRET_NAMES) {
    if (typed(form, name) !== '') {
      secureJsonData[name] = typed(form, name);
    } else if (form.reset[name]) {
      reset.push(name);
    }
  }
  return {
    enabled: stored.enabled,
    pinned: stored.pinned,
    jsonData: { ...stored.jsonData, serviceUrl: normaliseServiceUrl(form.serviceUrl) },
    secureJsonData,
    reset,
  };
}

/** What Grafana now stores, when it could not be read back after a successful save. */
export function afterSave(stored: StoredSettings, saved: SaveSettings): StoredSettings {
  const secureJsonFields = { ...stored.secureJsonFields };
  for (const name of SECRET_NAMES) {
    if (saved.secureJsonData?.[name]) {
      secureJsonFields[name] = true;
    } else if (saved.reset?.includes(name)) {
      secureJsonFields[name] = false;
    }
  }
  return { enabled: saved.enabled, pinned: saved.pinned, jsonData: saved.jsonData, secureJsonFields };
}
