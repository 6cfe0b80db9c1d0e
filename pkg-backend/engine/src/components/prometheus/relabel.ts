import type { ComponentRegistration } from '../../runtime/component.js';
import { t } from '../../runtime/schema.js';
import { relabelRulesBlock } from '../common/relabel-schema.js';
import { goDuration } from '../common/validation.js';

/** `minCacheTTL` of prometheus.relabel. */
const MIN_CACHE_TTL_MS = 60_000;

/** prometheus.relabel — arguments as Alloy 1.18 prometheus.relabel (`internal/component/prometheus/relabel/relabel.go`). */
export const prometheusRelabel: ComponentRegistration = {
  name: 'prometheus.relabel',
  stability: 'generally-available',
  args: {
    attrs: {
      forward_to: { type: t.list(t.capsule('storage.Appendable')), required: true },
      max_cache_size: { type: t.int(), default: 100_000 },
      cache_ttl: { type: t.duration(), default: 0 },
    },
    blocks: { rule: relabelRulesBlock },
    validate: (a) => {
      if (a.max_cache_size < 0) return `max_cache_size must be >= 0; got ${a.max_cache_size}`;
      if (a.cache_ttl < 0) return `cache_ttl must be >= 0; got ${goDuration(a.cache_ttl)}`;
      if (a.max_cache_size > 0 && a.cache_ttl > 0) {
        return 'max_cache_size and cache_ttl are mutually exclusive: set max_cache_size = 0 to use cache_ttl, or unset cache_ttl to keep the bounded LRU cache';
      }
      if (a.max_cache_size === 0 && a.cache_ttl === 0)
        return 'one of max_cache_size or cache_ttl must be set';
      if (a.cache_ttl > 0 && a.cache_ttl < MIN_CACHE_TTL_MS) {
        return `cache_ttl must be at least ${goDuration(MIN_CACHE_TTL_MS)} when set; got ${goDuration(a.cache_ttl)}`;
      }
      return undefined;
    },
  },
  exports: { receiver: t.capsule('storage.Appendable'), rules: t.capsule('relabel.Rules') },
};
