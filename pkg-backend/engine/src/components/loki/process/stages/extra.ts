/**
 * The loki.process stages beyond the parsing/labelling core (see core.ts), by `stage.<type>` name: match,
 * drop, multiline, pack, limit, decolorize, cri, docker, metrics, tenant, truncate, sampling,
 * structured_metadata_drop, luhn and pattern, each as Alloy's stage of that name.
 */
import type { StageFactory } from '../stage.js';
import { criStage } from './cri.js';
import { decolorizeStage } from './decolorize.js';
import { dockerStage } from './docker.js';
import { dropStage } from './drop.js';
import { limitStage } from './limit.js';
import { luhnStage } from './luhn.js';
import { matchStage } from './match.js';
import { metricsStage } from './metrics.js';
import { multilineStage } from './multiline.js';
import { packStage } from './pack.js';
import { patternStage } from './pattern.js';
import { samplingStage } from './sampling.js';
import { structuredMetadataDropStage } from './structured-metadata-drop.js';
import { tenantStage } from './tenant.js';
import { truncateStage } from './truncate.js';

export const extraStages: Record<string, StageFactory> = {
  cri: criStage,
  decolorize: decolorizeStage,
  docker: dockerStage,
  drop: dropStage,
  limit: limitStage,
  luhn: luhnStage,
  match: matchStage,
  metrics: metricsStage,
  multiline: multilineStage,
  pack: packStage,
  pattern: patternStage,
  sampling: samplingStage,
  structured_metadata_drop: structuredMetadataDropStage,
  tenant: tenantStage,
  truncate: truncateStage,
};
