/**
 * Plugin settings as Grafana keeps them: `enabled`, `pinned`, `jsonData` (readable) and `secureJsonData`
 * (write-only: reads return only `secureJsonFields`, which keys are set). Persisted as JSON in the data
 * folder (mode 0600, since it holds the secrets in clear — Grafana encrypts them; this host does not).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StoredSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

/** Body of `POST /api/plugins/:id/settings` (each part optional, as in Grafana). */
export interface SettingsUpdate {
  enabled?: boolean;
  pinned?: boolean;
  jsonData?: Record<string, unknown> | null;
  secureJsonData?: Record<string, string> | null;
}

/** What `GET /api/plugins/:id/settings` returns about the settings (never a secret). */
export interface SettingsView {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonFields: Record<string, boolean>;
}

export class SettingsStore {
  private settings: StoredSettings;

  constructor(private readonly file: string) {
    this.settings = existsSync(file)
      ? { ...empty(), ...(JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredSettings>) }
      : empty();
  }

  /** The settings without secret values. */
  view(): SettingsView {
    const s = this.settings;
    return {
      enabled: s.enabled,
      pinned: s.pinned,
      jsonData: { ...s.jsonData },
      secureJsonFields: Object.fromEntries(Object.keys(s.secureJsonData).map((k) => [k, true])),
    };
  }

  /** For the proxy only: jsonData and the decrypted secureJsonData. */
  templateData(): { JsonData: Record<string, unknown>; SecureJsonData: Record<string, string> } {
    return { JsonData: { ...this.settings.jsonData }, SecureJsonData: { ...this.settings.secureJsonData } };
  }

  /**
   * Applies an update as Grafana does: `jsonData` replaces the whole object when given; each key of
   * `secureJsonData` replaces that secret (other secrets stay).
   */
  update(u: SettingsUpdate): void {
    const s = this.settings;
    this.settings = {
      enabled: u.enabled ?? s.enabled,
      pinned: u.pinned ?? s.pinned,
      jsonData: u.jsonData ? { ...u.jsonData } : s.jsonData,
      secureJsonData: u.secureJsonData ? { ...s.secureJsonData, ...u.secureJsonData } : s.secureJsonData,
    };
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.settings, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function empty(): StoredSettings {
  return { enabled: false, pinned: false, jsonData: {}, secureJsonData: {} };
}
