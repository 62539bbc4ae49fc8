// Response shapes: serialised through these, so a column added to a view never leaks unannounced.
const s = { type: 'string' } as const;
const ns = { type: ['string', 'null'] } as const;
const nn = { type: ['number', 'null'] } as const;
const refreshType = { type: 'string', enum: ['full', 'incremental'] } as const;
const nullableRefreshType = { type: ['string', 'null'], enum: ['full', 'incremental', null] } as const;
const nint = { type: ['integer', 'null'] } as const;

/** Every property required and nothing beyond them: a field the app relies on can't go missing unnoticed. */
const strict = <P extends Record<string, unknown>>(properties: P) =>
  ({
    type: 'object',
    properties,
    required: Object.keys(properties) as Array<keyof P & string>,
    additionalProperties: false,
  }) as const;

export const viewStatusSchema = strict({
  view: s,
  pack: s,
  description: s,
  state: s,
  enabled: { type: 'boolean' },
  lagSeconds: nn,
  warnAfterSeconds: nn,
  errorAfterSeconds: nn,
  lastSuccessAt: ns,
  lastAttemptAt: ns,
  lastAttemptStatus: ns,
  lastError: ns,
  lastDurationMs: nn,
  typicalDurationMs: nn,
  rows: nn,
  sizeBytes: nn,
  schedule: s,
  due: { type: 'boolean' },
  dueReason: ns,
  refreshMode: refreshType,
  zeroLag: { type: 'boolean' },
  lastRefreshType: nullableRefreshType,
  lastKeyCount: nint,
});

export const attemptSchema = strict({
  logId: { type: 'integer' },
  runId: { type: 'integer' },
  view: s,
  trigger: s,
  requestedBy: ns,
  status: s,
  concurrently: { type: ['boolean', 'null'] },
  startedAt: ns,
  finishedAt: ns,
  durationMs: nn,
  rows: nn,
  sqlstate: ns,
  message: ns,
  refreshType: nullableRefreshType,
  keyCount: nint,
});

export const runStatusSchema = strict({
  runId: { type: 'integer' },
  trigger: s,
  requestedBy: ns,
  requested: { type: 'array', items: s },
  cascade: { type: 'boolean' },
  status: s,
  createdAt: ns,
  finishedAt: ns,
  counts: { type: 'object', additionalProperties: { type: 'integer' } },
  steps: { type: 'array', items: attemptSchema },
});

export const viewListSchema = strict({ views: { type: 'array', items: viewStatusSchema } });

/** A bigint id as URL text. Up to 15 digits keeps every id inside bigint and exact as a JavaScript number. */
export const idText = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } as const;

export const historyPageSchema = strict({
  view: s,
  history: { type: 'array', items: attemptSchema },
  nextBefore: nint,
});

const problemSchema = {
  type: 'object',
  properties: { code: s, message: s },
  required: ['code', 'message'],
  additionalProperties: false,
} as const;

// Strict (required, nothing extra): the Grafana app decides what to offer from these fields.
export const accessSchema = {
  type: 'object',
  properties: {
    power: { type: 'string', enum: ['read', 'admin'] },
    canRefresh: { type: 'boolean' },
    identity: {
      type: 'object',
      properties: {
        user: ns,
        verified: { type: 'boolean' },
        problem: { anyOf: [{ type: 'null' }, problemSchema] },
      },
      required: ['user', 'verified', 'problem'],
      additionalProperties: false,
    },
    requireVerifiedIdentity: { type: 'boolean' },
  },
  required: ['power', 'canRefresh', 'identity', 'requireVerifiedIdentity'],
  additionalProperties: false,
} as const;
