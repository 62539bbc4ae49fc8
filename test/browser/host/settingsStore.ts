// The app's plugin settings as Grafana keeps them for one org (pkg/api/plugins.go
// GetPluginSettingByID / UpdatePluginSetting, pkg/services/pluginsettings): POST replaces enabled,
// pinned and the whole jsonData, and merges secureJsonData key by key (an empty string is stored
// too); GET answers jsonData and secureJsonFields, where a secret counts only when non-empty, and
// never a secret's value. The proxy reads the decrypted secrets from here.
import type { AppSettings } from '../../grafana/pluginProxy';

export interface StoredPluginSetting {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown> | null;
  secureJsonData: Record<string, string>;
}

/** pluginsettings.UpdatePluginSettingCmd as the API decodes it. */
export interface UpdatePluginSettingCmd {
  enabled?: boolean;
  pinned?: boolean;
  jsonData?: Record<string, unknown> | null;
  secureJsonData?: Record<string, string> | null;
}

export class BadSettingsCommand extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes a POST body as Go's encoding/json would into UpdatePluginSettingCmd, or throws. */
export function decodeUpdate(body: unknown): UpdatePluginSettingCmd {
  if (!isObject(body)) {
    throw new BadSettingsCommand('bad request data');
  }
  const { enabled, pinned, jsonData, secureJsonData } = body;
  const boolOrAbsent = (v: unknown) => v === undefined || v === null || typeof v === 'boolean';
  if (!boolOrAbsent(enabled) || !boolOrAbsent(pinned)) {
    throw new BadSettingsCommand('bad request data');
  }
  if (jsonData !== undefined && jsonData !== null && !isObject(jsonData)) {
    throw new BadSettingsCommand('bad request data');
  }
  if (secureJsonData !== undefined && secureJsonData !== null) {
    if (!isObject(secureJsonData) || Object.values(secureJsonData).some((v) => typeof v !== 'string')) {
      throw new BadSettingsCommand('bad request data');
    }
  }
  return {
    enabled: enabled === true,
    pinned: pinned === true,
    jsonData: (jsonData as Record<string, unknown> | null | undefined) ?? null,
    secureJsonData: (secureJsonData as Record<string, string> | null | undefined) ?? null,
  };
}

export class SettingsStore {
  /** undefined: no settings row yet (the app was never enabled or configured). */
  private row: StoredPluginSetting | undefined;

  constructor(initial?: StoredPluginSetting) {
    this.row = initial && structuredClone(initial);
  }

  /** Replaces everything, as provisioning does when Grafana starts; undefined removes the row. */
  provision(row: StoredPluginSetting | undefined): void {
    this.row = row && structuredClone(row);
  }

  update(cmd: UpdatePluginSettingCmd): void {
    const secrets = { ...(this.row?.secureJsonData ?? {}) };
    for (const [k, v] of Object.entries(cmd.secureJsonData ?? {})) {
      secrets[k] = v;
    }
    this.row = {
      enabled: cmd.enabled ?? false,
      pinned: cmd.pinned ?? false,
      jsonData: cmd.jsonData ?? null,
      secureJsonData: secrets,
    };
  }

  /** The enabled flag, jsonData and secureJsonFields GET answers (merged into the plugin's DTO). */
  publicView(): {
    enabled: boolean;
    pinned: boolean;
    jsonData: Record<string, unknown> | null;
    secureJsonFields: Record<string, boolean>;
  } {
    // pkg/api/plugins.go lists only the secrets with a value; a stored empty string is left out.
    const secureJsonFields: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(this.row?.secureJsonData ?? {})) {
      if (v.length > 0) {
        secureJsonFields[k] = true;
      }
    }
    return {
      enabled: this.row?.enabled ?? false,
      pinned: this.row?.pinned ?? false,
      // Without a settings row Grafana leaves JsonData nil, which encodes as null.
      jsonData: this.row ? structuredClone(this.row.jsonData) : null,
      secureJsonFields,
    };
  }

  /** What the proxy works with: the decrypted secrets included. */
  forProxy(): AppSettings {
    return {
      enabled: this.row?.enabled ?? false,
      jsonData: this.row ? structuredClone(this.row.jsonData) : null,
      secureJsonData: this.row ? { ...this.row.secureJsonData } : null,
    };
  }
}
