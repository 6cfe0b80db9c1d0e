/**
 * The REST API's OpenAPI document: built by @nestjs/swagger from the controllers (request schemas from
 * the zod schemas of `@Body/@Query/@Param({ schema })`, responses from `@ApiOkResponse`), served at
 * /api/docs (UI) and /api/openapi.json, and committed as pkg-backend/controller/openapi.json
 * (`npm run openapi -w @foundry/controller`).
 */
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { PARAMTYPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { loadControllerConfig } from './config/controller-config.js';

export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/openapi.json';

/** The committed document (`pkg-backend/controller/openapi.json`). */
export const committedOpenApiPath = new URL('../openapi.json', import.meta.url).pathname;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The document of an application's routes, with object keys sorted (stable output). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Foundry controller')
    .setDescription(
      'Fleet management for Foundry agents: agents, pipelines and their versions, validation, tokens, audit. ' +
        'Every /api/v1 route needs `Authorization: Bearer <token>`: viewer for reads, editor for changes, ' +
        'admin where noted.',
    )
    .setVersion(packageVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API token (fdy_…)' })
    .build();
  normalizeParamTypes(app);
  return normalizeDocument(SwaggerModule.createDocument(app, config));
}

/**
 * @nestjs/swagger reads a route's parameters from TypeScript's `design:paramtypes` metadata, which
 * tsx/esbuild do not emit and tsc does. Sets it on every route handler from the route's own parameter
 * decorators (a named path parameter without a schema is a string; everything else is described by its
 * zod schema), so the document is the same whichever compiler ran the code.
 */
function normalizeParamTypes(app: INestApplication): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller?.prototype) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as
          Record<string, { index: number; data?: unknown; schema?: unknown }> | undefined;
        if (!args) continue;
        const types: unknown[] = [];
        for (const [key, arg] of Object.entries(args)) {
          const isPathName =
            Number(key.split(':')[0]) === RouteParamtypes.PARAM && typeof arg.data === 'string';
          types[arg.index] = isPathName && !arg.schema ? String : Object;
        }
        for (let i = 0; i < types.length; i++) types[i] ??= Object;
        Reflect.defineMetadata(PARAMTYPES_METADATA, types, controller.prototype, method);
      }
    }
  }
}

/** Serves the UI at /api/docs and the document at /api/openapi.json (no token needed). */
export function setupOpenApi(app: INestApplication): void {
  let doc: OpenAPIObject | undefined;
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => (doc ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
  });
}

/**
 * Builds the document without a database or listeners (Nest's preview mode instantiates nothing).
 * Returns the text written to openapi.json.
 */
export async function generateOpenApiText(): Promise<string> {
  const config = {
    ...loadControllerConfig([], {}),
    databaseUrl: 'postgresql://openapi@127.0.0.1:1/unused',
    controllerId: 'openapi',
  };
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false });
  try {
    return JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n';
  } finally {
    await app.close();
  }
}

/**
 * A copy of `v` with every object's keys in sorted order (arrays keep their order), without the
 * safe-integer bounds zod puts on every integer (`minimum: -(2^53 - 1)`, `maximum: 2^53 - 1`).
 */
export function normalizeDocument<T>(v: T): T {
  if (Array.isArray(v)) return v.map(normalizeDocument) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (
        (k === 'minimum' && x === Number.MIN_SAFE_INTEGER) ||
        (k === 'maximum' && x === Number.MAX_SAFE_INTEGER)
      ) {
        continue;
      }
      out[k] = normalizeDocument(x);
    }
    return out as T;
  }
  return v;
}
