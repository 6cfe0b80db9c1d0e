/** Every stage type `loki.process` can run, by `stage.<type>` name. */
import type { StageFactory } from '../stage.js';
import { coreStages } from './core.js';
import { extraStages } from './extra.js';

export const STAGES: Record<string, StageFactory> = { ...coreStages, ...extraStages };
