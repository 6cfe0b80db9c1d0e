import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';
import { authExports, debugMetricsBlock } from '../../common/otelcol-schema.js';
import { isSet, text } from '../../common/validation.js';
import { AuthComponent } from './component.js';
import { headerValue, type AuthHandler } from './handler.js';

interface BasicArgs {
  username?: string;
  password?: unknown;
  client_auth?: { username?: string; username_file?: string; password?: unknown; password_file?: string };
  htpasswd?: { file?: string; inline?: string };
}

function readTrimmed(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`failed to read ${what} file ${file}: ${(err as Error).message}`);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks a password against one htpasswd hash: plain text, `{SHA}` and `{SSHA}` are supported. */
function htpasswdMatch(hash: string, password: string): boolean {
  if (hash.startsWith('{SHA}'))
    return safeEqual(hash.slice(5), createHash('sha1').update(password).digest('base64'));
  if (hash.startsWith('{SSHA}')) {
    const raw = Buffer.from(hash.slice(6), 'base64');
    if (raw.length <= 20) return false;
    const salt = raw.subarray(20);
    const d = createHash('sha1').update(password).update(salt).digest();
    return d.length === 20 && timingSafeEqual(d, raw.subarray(0, 20));
  }
  if (/^\$(2[abxy]?|apr1|1|5|6)\$/.test(hash)) return false; // bcrypt / crypt: not supported
  return safeEqual(hash, password);
}

/**
 * Builds the handler of otelcol.auth.basic (the contrib basicauthextension): client side
 * `Authorization: Basic base64(user:pass)` from `client_auth` (files read when the arguments are applied)
 * or the deprecated `username` / `password`; server side the `htpasswd` entries (file, then inline, then the
 * deprecated pair as an inline entry). Hashes: plain, `{SHA}`, `{SSHA}` (bcrypt and MD5-crypt entries never
 * match). Server errors as the extension: no header → "no basic auth provided", bad header → "invalid
 * authorization format", wrong scheme → "invalid authorization scheme prefix", mismatch → "invalid
 * credentials"; the auth data carries `username` and `raw`.
 */
function basicHandler(id: string): { handler: AuthHandler; apply: (a: BasicArgs) => void } {
  let header: string | undefined;
  let users = new Map<string, string>();
  const handler: AuthHandler = {
    id,
    client(headers) {
      if (header === undefined) throw new Error(`${id}: no client credentials configured`);
      headers['authorization'] = header;
    },
    async server(headers) {
      const auth = headerValue(headers, 'authorization');
      if (!auth) throw new Error('no basic auth provided');
      const sp = auth.indexOf(' ');
      if (sp < 0) throw new Error('invalid authorization format');
      if (auth.slice(0, sp).toLowerCase() !== 'basic') throw new Error('invalid authorization scheme prefix');
      const raw = auth.slice(sp + 1).trim();
      const decoded = Buffer.from(raw, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error('invalid authorization format');
      const user = decoded.slice(0, colon);
      const hash = users.get(user);
      if (hash === undefined || !htpasswdMatch(hash, decoded.slice(colon + 1)))
        throw new Error('invalid credentials');
      return { username: user, raw };
    },
  };
  const apply = (a: BasicArgs) => {
    let user: string | undefined;
    let pass: string | undefined;
    if (a.client_auth) {
      const c = a.client_auth;
      user = c.username_file ? readTrimmed(c.username_file, 'username') : (c.username ?? '');
      pass = c.password_file ? readTrimmed(c.password_file, 'password') : text(c.password);
    } else if (isSet(a.username)) {
      user = a.username!;
      pass = text(a.password);
    }
    const lines: string[] = [];
    if (a.htpasswd?.file) lines.push(...readTrimmed(a.htpasswd.file, 'htpasswd').split('\n'));
    if (a.htpasswd?.inline) lines.push(...a.htpasswd.inline.split('\n'));
    if (isSet(a.username) && isSet(a.password)) lines.push(`${a.username}:${text(a.password)}`);
    const next = new Map<string, string>();
    for (const l of lines) {
      const line = l.trim();
      const i = line.indexOf(':');
      if (line === '' || line.startsWith('#') || i < 0) continue;
      next.set(line.slice(0, i), line.slice(i + 1));
    }
    users = next;
    header =
      user !== undefined || pass !== undefined
        ? `Basic ${Buffer.from(`${user ?? ''}:${pass ?? ''}`).toString('base64')}`
        : undefined;
  };
  return { handler, apply };
}

/**
 * otelcol.auth.basic — arguments as Alloy 1.18 otelcol.auth.basic (`internal/component/otelcol/auth/basic/basic.go`);
 * behaviour: `basicHandler` above.
 */
export const otelcolAuthBasic: ComponentRegistration<BasicArgs> = {
  name: 'otelcol.auth.basic',
  stability: 'generally-available',
  args: {
    attrs: {
      // Deprecated in favour of `client_auth`.
      username: { type: t.string() },
      password: { type: t.secret() },
    },
    blocks: {
      client_auth: {
        schema: {
          attrs: {
            username: { type: t.string() },
            username_file: { type: t.string() },
            password: { type: t.secret() },
            password_file: { type: t.string() },
          },
        },
      },
      htpasswd: {
        schema: {
          attrs: {
            file: { type: t.string() },
            inline: { type: t.string() },
          },
        },
      },
      debug_metrics: debugMetricsBlock,
    },
    validate: (a) => {
      if (
        !isSet(a.username) &&
        !isSet(a.password) &&
        a.htpasswd === undefined &&
        a.client_auth === undefined
      ) {
        return 'no credential source provided';
      }
      if (isSet(a.username) && !isSet(a.password)) return 'no password provided';
      return undefined;
    },
  },
  exports: authExports,
  build: (opts, args) => {
    const { handler, apply } = basicHandler(opts.id);
    return new AuthComponent(opts, handler, apply, args);
  },
};
