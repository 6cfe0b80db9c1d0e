#!/usr/bin/env node
// Entry point of the built agent (`npm run build` compiles src/ to dist/).
import '../dist/main.js';
