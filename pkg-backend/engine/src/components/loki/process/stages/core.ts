/**
 * The core `stage.*` types of loki.process (parsing, labels, output, timestamps, templates), by
 * `stage.<type>` name; the others are in ./extra.ts. Each is as Alloy's stage of that name.
 */
import type { StageFactory } from '../stage.js';
import { jsonStage } from './json.js';
import { labelDropStage } from './label-drop.js';
import { labelKeepStage } from './label-keep.js';
import { labelsStage } from './labels.js';
import { logfmtStage } from './logfmt.js';
import { outputStage } from './output.js';
import { regexStage } from './regex.js';
import { replaceStage } from './replace.js';
import { staticLabelsStage } from './static-labels.js';
import { structuredMetadataStage } from './structured-metadata.js';
import { templateStage } from './template.js';
import { timestampStage } from './timestamp.js';

export const coreStages: Record<string, StageFactory> = {
  json: jsonStage,
  label_drop: labelDropStage,
  label_keep: labelKeepStage,
  labels: labelsStage,
  logfmt: logfmtStage,
  output: outputStage,
  regex: regexStage,
  replace: replaceStage,
  static_labels: staticLabelsStage,
  structured_metadata: structuredMetadataStage,
  template: templateStage,
  timestamp: timestampStage,
};
