/**
 * `stage.tenant`, as Alloy's stage.tenant (`stages/tenant.go`): sets the `__tenant_id__` label (the tenant
 * loki.write sends the entry as) from a fixed `value`, an extracted `source` key (Go `getString`) or
 * another `label`. An empty or missing tenant leaves the entry unchanged.
 *
 * Decoded shape: `{ label?: string, source?: string, value?: string }` (exactly one).
 *
 * Errors (Alloy's texts): "label, source or value config are required", "label, source and value are
 * mutually exclusive: you should set source, value or label but not all".
 */
import type { Stage, StageEntry, StageFactory } from '../stage.js';
import { getString } from './extra-util.js';

/** The label that selects the tenant of an entry. */
export const RESERVED_LABEL_TENANT_ID = '__tenant_id__';

interface TenantArgs {
  label?: string;
  source?: string;
  value?: string;
}

export const tenantStage: StageFactory = (config, ctx) => {
  const a = config as unknown as TenantArgs;
  const source = a.source ?? '';
  const value = a.value ?? '';
  const label = a.label ?? '';
  if (source === '' && value === '' && label === '')
    throw new Error('label, source or value config are required');
  if ((source !== '' && value !== '') || (label !== '' && value !== '') || (source !== '' && label !== '')) {
    throw new Error(
      'label, source and value are mutually exclusive: you should set source, value or label but not all',
    );
  }
  const tenantOf = (e: StageEntry): string => {
    if (source !== '') {
      if (!e.extracted.has(source)) {
        ctx.logger.debug('the tenant source does not exist in the extracted data', { source });
        return '';
      }
      try {
        return getString(e.extracted.get(source));
      } catch (err) {
        ctx.logger.debug('failed to convert value to string', { err: (err as Error).message });
        return '';
      }
    }
    if (label !== '') return e.labels.get(label) ?? '';
    return value;
  };
  const stage: Stage = {
    process(entries) {
      for (const e of entries) {
        const tenant = tenantOf(e);
        if (tenant !== '') e.labels.set(RESERVED_LABEL_TENANT_ID, tenant);
      }
      return entries;
    },
  };
  return stage;
};
