/**
 * The `tls` blocks of otelcol servers and clients (Alloy's TLSServerArguments / TLSClientArguments, the
 * collector's configtls): PEM text or files for the CA, certificate and key; `client_ca_file` turns on
 * client-certificate verification on servers; `min_version` / `max_version` as "1.0"…"1.3" (default 1.2).
 * Not honoured: `reload_interval`, `cipher_suites`, `curve_preferences`, `tpm`.
 */
import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import { Secret } from '../../syntax/value.js';

export interface OtelTlsArgs {
  ca_pem?: string;
  ca_file?: string;
  cert_pem?: string;
  cert_file?: string;
  key_pem?: Secret | string;
  key_file?: string;
  min_version?: string;
  max_version?: string;
  client_ca_file?: string;
  insecure?: boolean;
  insecure_skip_verify?: boolean;
  server_name?: string;
  include_system_ca_certs_pool?: boolean;
}

export interface LoadedTls {
  ca?: string;
  cert?: string;
  key?: string;
  clientCa?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

const VERSIONS: Record<string, SecureVersion> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

/** configtls version text ("1.2", also "TLS 1.2" / "TLS12") → Node's name. @throws on unknown text. */
export function tlsVersion(v: string | undefined): SecureVersion | undefined {
  if (!v) return undefined;
  const m = /^(?:tls\s*)?(1)\.?([0-3])$/i.exec(v.trim());
  const out = m ? VERSIONS[`${m[1]}.${m[2]}`] : undefined;
  if (!out) throw new Error(`invalid TLS version ${JSON.stringify(v)}`);
  return out;
}

function pemOrFile(pem: string | undefined, file: string | undefined, what: string): string | undefined {
  if (pem) return pem;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`failed to load ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Reads the PEM material a tls block names. @throws for unreadable files or invalid versions. */
export function loadTls(t: OtelTlsArgs): LoadedTls {
  const key = t.key_pem instanceof Secret ? t.key_pem.value : t.key_pem;
  return {
    ca: pemOrFile(t.ca_pem, t.ca_file, 'CA'),
    cert: pemOrFile(t.cert_pem, t.cert_file, 'certificate'),
    key: pemOrFile(key || undefined, t.key_file, 'key'),
    clientCa: pemOrFile(undefined, t.client_ca_file, 'client CA'),
    minVersion: tlsVersion(t.min_version) ?? 'TLSv1.2',
    maxVersion: tlsVersion(t.max_version),
  };
}

/** `host:port` → parts; an empty host means every interface (Go's `:4317`). @throws on a bad endpoint. */
export function splitHostPort(endpoint: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(endpoint.trim());
  if (!m) throw new Error(`invalid endpoint ${JSON.stringify(endpoint)}: expected host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in endpoint ${JSON.stringify(endpoint)}`);
  return { host: m[1] ?? m[2] ?? '', port };
}
