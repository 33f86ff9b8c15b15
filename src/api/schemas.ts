/**
 * JSON Schemas shared by the API's routes: request bodies are validated with them (400 on a bad
 * body) and responses serialized with them (fields not named here are not sent). Every route
 * declares every status code it answers with, errors included.
 */

type S = Record<string, unknown>;

export const errorSchema: S = {
  type: 'object',
  description: 'Every error: the HTTP status, a stable code to branch on, and a message for people.',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
};

/** The error responses every authenticated route can give (401 no or wrong token, 403 role or origin, 429 locked out). */
export const authErrors: Record<number, S> = { 401: errorSchema, 403: errorSchema, 429: errorSchema };
export const bodyErrors: Record<number, S> = { 400: errorSchema, 413: errorSchema, 415: errorSchema };

const location: S = {
  type: 'object',
  properties: { building: { type: 'string' }, floor: { type: 'string' }, room: { type: 'string' }, note: { type: 'string' } },
  additionalProperties: true,
};

const pointValue = { type: ['number', 'boolean', 'string'] };

export const eventSchema: S = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    severity: { type: 'string' },
    gatewayId: { type: 'string' },
    deviceId: { type: 'string' },
    point: { type: 'string' },
    value: pointValue,
    threshold: { type: 'number' },
    unit: { type: 'string' },
    message: { type: 'string' },
    location,
    ts: { type: 'number' },
    synced: { type: 'boolean' },
    seq: { type: 'integer' },
    restores: { type: 'string' },
    test: { type: 'boolean', description: 'Raised or restored during a walk test of its device.' },
  },
};

export const readingSchema: S = {
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    point: { type: 'string' },
    value: pointValue,
    unit: { type: 'string' },
    quality: { type: 'string' },
    ts: { type: 'number' },
    synced: { type: 'boolean' },
    seq: { type: 'integer' },
  },
};

export const alarmSchema: S = {
  type: 'object',
  required: ['event'],
  properties: {
    event: eventSchema,
    acknowledged: { type: 'object', properties: { at: { type: 'number' }, by: { type: 'string' }, via: { type: 'string' } } },
    silencedUntil: { type: 'number' },
    silencedBy: { type: 'string' },
    sounding: { type: 'boolean' },
    clearedAt: { type: 'number', description: 'The detector restored then; shown until acknowledged (latched fire alarm).' },
    receipt: { type: 'string', enum: ['awaited', 'overdue', 'confirmed'], description: 'Fire alarms: confirmation by the receiving centre (EN 54-21).' },
  },
};

const counters: S = {
  type: 'object',
  properties: {
    polls: { type: 'integer' },
    ok: { type: 'integer' },
    failed: { type: 'integer' },
    consecutiveFailures: { type: 'integer' },
    errorsByCode: { type: 'object', additionalProperties: { type: 'integer' } },
    lastErrorCode: { type: 'string' },
    lastOkAt: { type: 'number' },
    lastPollMs: { type: 'number' },
    unknownPoints: { type: 'integer' },
    sinkErrors: { type: 'integer' },
  },
};

export const deviceSchema: S = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    profile: { type: 'string' },
    bus: { type: 'string' },
    address: { type: 'integer' },
    location,
    enabled: { type: 'boolean' },
    state: { type: 'string', enum: ['disabled', 'starting', 'online', 'offline'] },
    pollIntervalMs: { type: 'integer' },
    polling: { type: 'boolean' },
    counters,
    values: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { value: pointValue, unit: { type: 'string' }, quality: { type: 'string' }, ts: { type: 'number' }, synced: { type: 'boolean' } },
      },
    },
    alarms: { type: 'array', items: alarmSchema },
    schedule: {
      type: 'object',
      properties: { nextPollInMs: { type: 'number' }, backoffMs: { type: 'number' }, skippedSlots: { type: 'integer' } },
    },
  },
};

export const testAlarmSchema: S = {
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    eventId: { type: 'string' },
    sentAt: { type: 'number' },
    confirmedAt: { type: 'number' },
    result: { type: 'string', enum: ['pending', 'pass', 'fail'] },
  },
};

export const scanJobSchema: S = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    bus: { type: 'string' },
    state: { type: 'string', enum: ['running', 'done', 'failed'] },
    startedAt: { type: 'number' },
    progress: {
      type: 'object',
      properties: { done: { type: 'integer' }, total: { type: 'integer' }, baudRate: { type: 'integer' }, unit: { type: 'integer' }, found: { type: 'integer' } },
    },
    found: {
      type: 'array',
      items: { type: 'object', properties: { unit: { type: 'integer' }, baudRate: { type: 'integer' }, reply: { type: 'string' } } },
    },
    error: { type: 'string' },
  },
};

/** Path parameter: an id as config ids are written (see ID_PATTERN), or an event's UUID. */
export const idParam = (name: string): S => ({
  type: 'object',
  required: [name],
  properties: { [name]: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } },
});
