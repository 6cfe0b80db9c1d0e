#!/usr/bin/env node
// Entry point of the built plugin host (`npm run build` compiles src/ to dist/ and bundles the page).
import { main } from '../dist/main.js';

await main();
