import { STATUS_CODES } from 'node:http';
import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { throwError } from 'rxjs';
import { Prisma } from '../generated/prisma/client.js';

/** Status and reason for a Prisma error code, or undefined for a server fault. */
export function describePrismaError(
  err: Prisma.PrismaClientKnownRequestError,
): { status: number; message: string } | undefined {
  const model =
    typeof err.meta?.modelName === 'string'
      ? err.meta.modelName.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
      : 'record';
  switch (err.code) {
    case 'P2002': {
      const fields = uniqueFields(err.meta);
      const what = fields.length ? ` with this ${fields.join(', ')}` : ' with these unique values';
      return { status: HttpStatus.CONFLICT, message: `a ${model}${what} already exists` };
    }
    case 'P2025':
      return { status: HttpStatus.NOT_FOUND, message: `${model} not found: ${reason(err)}` };
    case 'P2003':
      return {
        status: HttpStatus.CONFLICT,
        message: `${model} refers to something that does not exist (foreign key constraint)`,
      };
    case 'P2023':
    case 'P2007':
      return { status: HttpStatus.BAD_REQUEST, message: `invalid value: ${reason(err)}` };
    default:
      return undefined;
  }
}

/**
 * Turns Prisma's known request errors into HTTP answers that say why: unique violations → 409,
 * record not found → 404, malformed values → 400; anything else → 500 (logged).
 */
@Catch(Prisma.PrismaClientKnownRequestError)
export class PrismaExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('PrismaExceptionFilter');

  catch(err: Prisma.PrismaClientKnownRequestError, host: ArgumentsHost) {
    if (host.getType() !== 'http') return throwError(() => err);
    const known = describePrismaError(err);
    if (!known) this.logger.error(`database error ${err.code}: ${err.message}`);
    const { status, message } = known ?? {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      message: `database error ${err.code}`,
    };
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    res.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
    return undefined;
  }
}

interface AdapterCause {
  message?: string;
  table?: string;
  constraint?: { fields?: unknown; index?: unknown };
}

function adapterCause(meta: Record<string, unknown> | undefined): AdapterCause | undefined {
  return (meta?.driverAdapterError as { cause?: AdapterCause } | undefined)?.cause;
}

/** What went wrong, in one line: the driver's message when there is one, else Prisma's last line. */
function reason(err: Prisma.PrismaClientKnownRequestError): string {
  const cause = adapterCause(err.meta);
  if (typeof cause?.message === 'string') return cause.message;
  const lines = err.message.trim().split('\n');
  return lines[lines.length - 1]!.trim();
}

/**
 * Column names of a unique violation: Prisma's classic `target`, or the driver adapter's fields, or its
 * index name without the `<table>_` prefix and `_key` suffix (`pipelines_name_key` → `name`).
 */
function uniqueFields(meta: Record<string, unknown> | undefined): string[] {
  if (!meta) return [];
  const target = meta.target;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === 'string') return [target];
  const cause = adapterCause(meta);
  const fields = cause?.constraint?.fields;
  if (Array.isArray(fields)) return fields.map((f) => String(f).replace(/^"|"$/g, ''));
  const index = cause?.constraint?.index;
  if (typeof index !== 'string') return [];
  let name = index.replace(/_(p?key)$/, '');
  if (cause?.table && name.startsWith(`${cause.table}_`)) name = name.slice(cause.table.length + 1);
  return [name];
}
