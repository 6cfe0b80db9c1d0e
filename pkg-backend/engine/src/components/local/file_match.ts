import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';

/** local.file_match — arguments as Alloy 1.18 local.file_match (`internal/component/local/file_match/file.go`). */
export const localFileMatch: ComponentRegistration = {
  name: 'local.file_match',
  stability: 'generally-available',
  args: {
    attrs: {
      path_targets: { type: t.targets(), required: true },
      sync_period: { type: t.duration(), default: 10_000 },
      ignore_older_than: { type: t.duration() },
    },
  },
  exports: { targets: t.targets() },
};
