#!/usr/bin/env node
// Entry point of the built plugin host (`npm run build` compiles src/ to dist/ and bundles the page).
import '../dist/run.js';
