import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { squashHttpClient } from '../common/http-client-schema.js';

/**
 * discovery.kubernetes — arguments as Alloy 1.18 discovery.kubernetes
 * (`internal/component/discovery/kubernetes/kubernetes.go`). Role names are checked by Prometheus when the
 * discoverer is built, not while decoding.
 */
export const discoveryKubernetes: ComponentRegistration = {
  name: 'discovery.kubernetes',
  stability: 'generally-available',
  args: squashHttpClient({
    attrs: {
      api_server: { type: t.string() },
      role: { type: t.string(), required: true },
      kubeconfig_file: { type: t.string() },
    },
    blocks: {
      namespaces: {
        schema: {
          attrs: {
            own_namespace: { type: t.bool() },
            names: { type: t.list(t.string()) },
          },
        },
      },
      selectors: {
        multiple: true,
        schema: {
          attrs: {
            role: { type: t.string(), required: true },
            label: { type: t.string() },
            field: { type: t.string() },
          },
        },
      },
      attach_metadata: {
        schema: {
          attrs: {
            node: { type: t.bool() },
            namespace: { type: t.bool() },
          },
        },
      },
    },
  }),
  exports: { targets: t.targets() },
};
