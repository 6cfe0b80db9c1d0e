/** The `--controller` URL and the gRPC channel credentials it implies (plaintext, TLS or mutual TLS). */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface ControllerAddress {
  /** gRPC target `host:port` (IPv6 hosts in brackets). */
  target: string;
  tls: boolean;
}

/** Default ports when the URL names none. */
const DEFAULT_PORTS: Record<string, number> = { 'grpc:': 8421, 'http:': 80, 'grpcs:': 443, 'https:': 443 };

/**
 * Parses `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS); `http://` and `https://` mean the
 * same. Without a port: 8421 for grpc, 443 for grpcs/https, 80 for http.
 * @throws Error for another scheme, a missing host, or a path, query or credentials in the URL.
 */
export function parseControllerUrl(url: string): ControllerAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(
      `invalid --controller ${JSON.stringify(url)}: expected grpc://host:port or grpcs://host:port`,
    );
  }
  const port = DEFAULT_PORTS[u.protocol];
  if (port === undefined)
    throw new Error(
      `invalid --controller ${JSON.stringify(url)}: the scheme must be grpc, grpcs, http or https`,
    );
  if (!u.hostname) throw new Error(`invalid --controller ${JSON.stringify(url)}: missing host`);
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash || u.username || u.password)
    throw new Error(`invalid --controller ${JSON.stringify(url)}: only scheme, host and port are allowed`);
  return {
    target: `${u.hostname}:${u.port || port}`,
    tls: u.protocol === 'grpcs:' || u.protocol === 'https:',
  };
}

export interface TlsFiles {
  /** PEM file of the CA certificates that sign the controller's certificate (default: system roots). */
  ca?: string;
  /** PEM client certificate (mutual TLS; needs `key`). */
  cert?: string;
  /** PEM private key of the client certificate. */
  key?: string;
}

/**
 * Channel credentials for the address: insecure for plaintext, TLS (optionally with a custom CA and a
 * client certificate) otherwise.
 * @throws Error when TLS files are given for a plaintext URL, only one of cert/key is given, or a file
 *   cannot be read.
 */
export function channelCredentials(addr: ControllerAddress, files: TlsFiles): grpc.ChannelCredentials {
  const any = files.ca !== undefined || files.cert !== undefined || files.key !== undefined;
  if (!addr.tls) {
    if (any) throw new Error('--controller.tls-* flags need a grpcs:// (or https://) --controller URL');
    return grpc.credentials.createInsecure();
  }
  if ((files.cert === undefined) !== (files.key === undefined))
    throw new Error('--controller.tls-cert and --controller.tls-key must be given together');
  const read = (flag: string, path: string | undefined) => {
    if (path === undefined) return null;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`reading ${flag} ${JSON.stringify(path)}: ${(err as Error).message}`);
    }
  };
  return grpc.credentials.createSsl(
    read('--controller.tls-ca', files.ca),
    read('--controller.tls-key', files.key),
    read('--controller.tls-cert', files.cert),
  );
}
