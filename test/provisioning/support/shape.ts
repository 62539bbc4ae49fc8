// Whether Grafana can draw a query's result: the backend's frame conversion (sqleng: a "time" column is
// required for time_series and converted to time; value columns become float64; string columns become labels of a
// long frame, which must be sorted by time) and what each panel type needs from the frame. Returns the problems,
// so a failing test says what Grafana would show instead of the panel.
import type { SqlQuery } from './dashboards';
import type { SqlResult } from './database';

export type FieldKind = 'number' | 'time' | 'string' | 'bool' | 'json';

// pgx type OIDs as sqleng maps them (getFieldTypesFromDescriptions); anything else is a string field.
const KIND: Record<number, FieldKind> = {
  16: 'bool',
  20: 'number',
  21: 'number',
  23: 'number',
  700: 'number',
  701: 'number',
  1700: 'number',
  1082: 'time',
  1114: 'time',
  1184: 'time',
  114: 'json',
  3802: 'json',
};
export const fieldKind = (oid: number): FieldKind => KIND[oid] ?? 'string';

interface Field {
  name: string;
  kind: FieldKind;
}

/** The frame sqleng builds: the "time" (and in tables "timeend") column converted from epoch numbers. */
function frameFields(result: SqlResult, format: SqlQuery['format']): { fields: Field[]; problems: string[] } {
  const problems: string[] = [];
  const fields = result.fields.map((f) => ({ name: f.name, kind: fieldKind(f.dataTypeID) }));
  for (const f of fields) {
    const converted = f.name === 'time' || (format === 'table' && f.name.toLowerCase() === 'timeend');
    if (converted && f.kind !== 'time') {
      if (f.kind === 'number') {
        f.kind = 'time';
      } else {
        problems.push(`column "${f.name}" is ${f.kind}: Grafana cannot convert it to a time field`);
      }
    }
  }
  return { fields, problems };
}

function timeSeriesProblems(result: SqlResult, fields: Field[]): string[] {
  const problems: string[] = [];
  const timeIndex = fields.findIndex((f) => f.name === 'time');
  if (timeIndex < 0) {
    return [`db has no time column: a time_series query needs a column named "time" (got ${names(fields)})`];
  }
  const labels = fields.filter((f, i) => i !== timeIndex && (f.kind === 'string' || f.name === 'metric'));
  const values = fields.filter((f, i) => i !== timeIndex && f.kind !== 'string' && f.name !== 'metric');
  for (const f of values) {
    if (f.kind !== 'number') {
      problems.push(`column "${f.name}" is ${f.kind}: "convert value to float failed"`);
    }
  }
  if (values.length === 0) {
    problems.push(`no numeric column to draw (got ${names(fields)})`);
  }
  const times = result.rows.map((r) => r[timeIndex]);
  if (times.some((t) => t === null)) {
    problems.push('a NULL in the time column (LongToWide refuses null times)');
  }
  if (labels.length > 0) {
    const ms = times.map((t) => (t instanceof Date ? t.getTime() : Number(t)));
    if (ms.some((t, i) => i > 0 && t < ms[i - 1])) {
      problems.push('rows not sorted by time: "long series must be sorted ascending by time to be converted"');
    }
  }
  return problems;
}

const names = (fields: Field[]): string => fields.map((f) => `${f.name}:${f.kind}`).join(', ') || 'no columns';

/** What is wrong for this query's panel, variable or annotation with this result; [] when Grafana can draw it. */
export function drawProblems(q: SqlQuery, result: SqlResult): string[] {
  const { fields, problems } = frameFields(result, q.format);
  const numeric = fields.filter((f) => f.kind === 'number' && f.name !== 'time');
  const hasTime = fields.some((f) => f.kind === 'time');
  const rows = result.rows.length;
  if (q.format === 'time_series') {
    problems.push(...timeSeriesProblems(result, fields));
  }
  if (q.kind === 'variable') {
    if (rows === 0) {
      problems.push('the variable gets no options');
    }
    return problems;
  }
  if (q.kind === 'annotation') {
    if (!fields.some((f) => f.name === 'time' && f.kind === 'time')) {
      problems.push(`an annotation query needs a "time" column (got ${names(fields)})`);
    }
    return problems;
  }
  if (q.kind === 'alert') {
    return problems;
  }
  switch (q.panelType) {
    case 'timeseries':
    case 'trend':
    case 'state-timeline':
    case 'status-history':
    case 'heatmap':
      if (!hasTime) {
        problems.push(`a ${q.panelType} panel needs a time column (got ${names(fields)})`);
      }
      if (numeric.length === 0 && q.panelType !== 'state-timeline' && q.panelType !== 'status-history') {
        problems.push(`a ${q.panelType} panel needs a numeric column (got ${names(fields)})`);
      }
      break;
    case 'stat':
    case 'gauge':
    case 'bargauge': {
      const explicit =
        typeof q.panel?.options?.reduceOptions?.fields === 'string' && q.panel.options.reduceOptions.fields;
      if (rows !== 1 && q.panel?.options?.reduceOptions?.values !== true) {
        problems.push(`a ${q.panelType} panel expects exactly one row (got ${rows})`);
      }
      if (numeric.length === 0 && !explicit) {
        problems.push(`a ${q.panelType} panel shows numeric columns and there is none (got ${names(fields)})`);
      }
      break;
    }
    case 'geomap': {
      const find = (re: RegExp): Field | undefined => fields.find((f) => re.test(f.name));
      const lat = find(/^(lat|latitude)$/i);
      const lon = find(/^(lon|lng|longitude)$/i);
      if (!lat || lat.kind !== 'number' || !lon || lon.kind !== 'number') {
        problems.push(`a geomap needs numeric lat/latitude and lon/longitude columns (got ${names(fields)})`);
      }
      if (rows === 0) {
        problems.push('the geomap has no points');
      }
      break;
    }
    case 'barchart':
      if (numeric.length === 0 || !fields.some((f) => f.kind === 'string' || f.kind === 'time')) {
        problems.push(`a bar chart needs a string or time column and a numeric one (got ${names(fields)})`);
      }
      break;
    case 'piechart':
      if (numeric.length === 0) {
        problems.push(`a pie chart needs a numeric column (got ${names(fields)})`);
      }
      break;
    default:
      // table and anything else: any rows shape.
      break;
  }
  return problems;
}
