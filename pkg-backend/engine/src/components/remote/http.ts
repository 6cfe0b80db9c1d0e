import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { httpClientSchema } from '../common/http-client-schema.js';

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** remote.http — arguments as Alloy 1.18 remote.http (`internal/component/remote/http/http.go`). */
export const remoteHttp: ComponentRegistration = {
  name: 'remote.http',
  stability: 'generally-available',
  args: {
    attrs: {
      url: { type: t.string(), required: true },
      poll_frequency: { type: t.duration(), default: 60_000 },
      poll_timeout: { type: t.duration(), default: 10_000 },
      is_secret: { type: t.bool() },
      method: { type: t.string(), default: 'GET' },
      headers: { type: t.map(t.string()) },
      body: { type: t.string() },
    },
    blocks: {
      client: { schema: httpClientSchema() },
    },
    validate: (a) => {
      if (a.poll_frequency <= 0) return 'poll_frequency must be greater than 0';
      if (a.poll_timeout <= 0) return 'poll_timeout must be greater than 0';
      if (a.poll_timeout >= a.poll_frequency) return 'poll_timeout must be less than poll_frequency';
      // http.NewRequest: the method must be a token.
      if (a.method !== '' && !METHOD_TOKEN.test(a.method))
        return `net/http: invalid method ${JSON.stringify(a.method)}`;
      return undefined;
    },
  },
  exports: { content: t.optionalSecret() },
};
