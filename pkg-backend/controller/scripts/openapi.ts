/**
 * Writes pkg-backend/controller/openapi.json, the committed OpenAPI document of the REST API
 * (`npm run openapi -w @foundry/controller`). test/openapi.test.ts fails when it is out of date.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { committedOpenApiPath, generateOpenApiText } from '../src/openapi.js';

writeFileSync(committedOpenApiPath, await generateOpenApiText());
process.stdout.write(`wrote ${committedOpenApiPath}\n`);
