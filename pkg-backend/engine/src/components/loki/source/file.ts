import type { ComponentRegistration } from '../../../runtime/component.js';
import { t } from '../../../runtime/schema.js';

const POSITIONS_FILE_ERRORS = ['skip', 'restart_from_end', 'restart_from_beginning'];
const COMPRESSION_FORMATS = ['gz', 'z', 'bz2'];

/** loki.source.file — arguments as Alloy 1.18 loki.source.file (`internal/component/loki/source/file/file.go`). */
export const lokiSourceFile: ComponentRegistration = {
  name: 'loki.source.file',
  stability: 'generally-available',
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
      forward_to: { type: t.list(t.capsule('loki.LogsReceiver')), required: true },
      encoding: { type: t.string() },
      tail_from_end: { type: t.bool() },
      legacy_positions_file: { type: t.string() },
      on_positions_file_error: { type: t.string(), default: 'restart_from_beginning' },
    },
    blocks: {
      decompression: {
        schema: {
          attrs: {
            enabled: { type: t.bool(), required: true },
            initial_delay: { type: t.duration() },
            format: { type: t.string(), required: true },
          },
          validate: (a) =>
            COMPRESSION_FORMATS.includes(a.format)
              ? undefined
              : `unsupported compression format: ${JSON.stringify(a.format)} - please use one of ${JSON.stringify(COMPRESSION_FORMATS.join(', '))}`,
        },
      },
      file_watch: {
        schema: {
          attrs: {
            min_poll_frequency: { type: t.duration(), default: 250 },
            max_poll_frequency: { type: t.duration(), default: 250 },
          },
        },
      },
      file_match: {
        schema: {
          attrs: {
            enabled: { type: t.bool(), default: false },
            sync_period: { type: t.duration(), default: 10_000 },
            ignore_older_than: { type: t.duration() },
          },
          validate: (a) => (a.sync_period <= 0 ? 'sync period must be greater than 0' : undefined),
        },
      },
    },
    validate: (a) =>
      POSITIONS_FILE_ERRORS.includes(a.on_positions_file_error)
        ? undefined
        : `unknown OnPositionsFileError value: ${a.on_positions_file_error}`,
  },
};
