#!/usr/bin/env node
// Prints the supported-components table of the README from the engine's registry (built dist):
// every component that runs, with its stability. `npm run docs:components` rewrites the README section
// between the markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const { createDefaultRegistry } = await import(join(root, 'pkg-backend/engine/dist/index.js'));
const regs = createDefaultRegistry()
  .all()
  .filter((r) => typeof r.build === 'function')
  .sort((a, b) => a.name.localeCompare(b.name));
const byNs = new Map();
for (const r of regs) {
  const ns = r.name.split('.')[0];
  if (!byNs.has(ns)) byNs.set(ns, []);
  byNs.get(ns).push(r);
}
const lines = ['| namespace | components (stability when not generally available) |', '|---|---|'];
for (const [ns, list] of byNs) {
  const cells = list.map(
    (r) => `\`${r.name}\`${r.stability === 'generally-available' ? '' : ` (${r.stability})`}`,
  );
  lines.push(`| ${ns} | ${cells.join(', ')} |`);
}
const table = `${lines.join('\n')}\n\n${regs.length} components run; the catalogue of others (arguments validated, not runnable) is in \`pkg-backend/engine/src/components/catalogue.ts\`.`;
const readme = join(root, 'README.md');
const text = readFileSync(readme, 'utf8');
const begin = '<!-- components:begin (npm run docs:components) -->';
const end = '<!-- components:end -->';
if (process.argv.includes('--write')) {
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) throw new Error('README markers not found');
  writeFileSync(readme, `${text.slice(0, i + begin.length)}\n${table}\n${text.slice(j)}`);
} else {
  console.log(table);
}
