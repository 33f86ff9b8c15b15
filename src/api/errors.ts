import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../errors.js';
import type { Logger } from '../log/logger.js';

/** HTTP status of each typed error the API's routes raise; anything else is a 500. */
const STATUS_BY_CODE: Record<string, number> = {
  API_NOT_FOUND: 404,
  API_UNAUTHORIZED: 401,
  API_TOO_MANY_FAILURES: 429,
  API_FORBIDDEN: 403,
  API_CROSS_ORIGIN: 403,
  USER_BAD_NAME: 400,
  USER_EXISTS: 409,
  USER_UNKNOWN: 404,
  USERS_UNWRITABLE: 503,
  AUDIT_UNREADABLE: 503,
  API_BAD_REQUEST: 400,
  OUTPUT_NONE: 409,
  OUTPUT_BUSY: 409,
  SCAN_BAD_RANGE: 400,
  SCAN_BUSY: 409,
  SCAN_BUS_IN_USE: 409,
  TEST_ALARM_UNAVAILABLE: 503,
  DUTY_CHECK_NONE: 409,
  WALK_TEST_ACTIVE: 409,
  WALK_TEST_INVALID: 400,
  COMMANDS_NONE: 409,
  COMMAND_NOT_FOUND: 404,
  COMMAND_PARAMS: 400,
  COMMAND_NEEDS_CONFIRMATION: 409,
  COMMAND_NOT_FOR_RULES: 403,
  MAINTENANCE_DURING_ALARM: 409,
  MAINTENANCE_UNKNOWN: 404,
};

export function apiError(code: string, message: string): HearthError {
  return new HearthError(code, message);
}

/**
 * One error shape for everything: { statusCode, code, error, message }. Fastify's own errors
 * (validation 400, body too large 413, unsupported media type 415) keep their FST_ codes.
 */
export function errorHandler(logger: Logger) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void => {
    let status: number;
    let code: string;
    if (err instanceof HearthError) {
      status = STATUS_BY_CODE[err.code] ?? 500;
      code = err.code;
    } else {
      const fe = err as FastifyError;
      status = fe.statusCode ?? 500;
      code = fe.validation ? 'API_BAD_REQUEST' : (fe.code ?? 'INTERNAL');
    }
    req.failureCode = code; // for the audit log
    if (status >= 500) logger.error({ err, url: req.url }, 'api request failed');
    const message = status >= 500 && !(err instanceof HearthError) ? 'internal error' : err.message;
    void reply.status(status).send({ statusCode: status, code, error: httpText(status), message });
  };
}

function httpText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return texts[status] ?? 'Internal Server Error';
}
