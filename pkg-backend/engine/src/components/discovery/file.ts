import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';

/** discovery.file — arguments as Alloy 1.18 discovery.file (`internal/component/discovery/file/file.go`). */
export const discoveryFile: ComponentRegistration = {
  name: 'discovery.file',
  stability: 'generally-available',
  args: {
    attrs: {
      files: { type: t.list(t.string()), required: true },
      refresh_interval: { type: t.duration(), default: 300_000 },
    },
  },
  exports: { targets: t.targets() },
};
