// Prisma CLI configuration. `prisma generate` never runs the schema engine, but the CLI insists on
// finding one before it starts (and would download it): point it at an existing file. To create new
// migrations offline, run the CLI with PRISMA_SCHEMA_ENGINE_BINARY set to a wasm-backed stand-in.
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const here = import.meta.dirname;
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(here, 'prisma', 'schema.prisma');
if (!fs.existsSync(process.env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  throw new Error(`PRISMA_SCHEMA_ENGINE_BINARY=${process.env.PRISMA_SCHEMA_ENGINE_BINARY} does not exist`);
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? '',
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});
