// A PostgreSQL query target for panels, variables and annotations. The foundation SDK has no builder for
// Grafana's PostgreSQL data source, so this is the SDK's own custom-query pattern with that model's fields.
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import { POSTGRES_TYPE } from './datasources';

/** `time_series` for panels drawing over time (a time column and numbers), `table` for everything else. */
export type QueryFormat = 'table' | 'time_series';

export interface PostgresQuery {
  refId: string;
  datasource: { type: typeof POSTGRES_TYPE; uid: string };
  rawSql: string;
  format: QueryFormat;
  editorMode: 'code';
  rawQuery: true;
  hide?: boolean;
  /** Tells cog this is a Dataquery variant; JSON.stringify leaves the function out. */
  _implementsDataqueryVariant(): void;
}

export class PostgresQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: PostgresQuery;

  constructor(datasourceUid: string, rawSql: string) {
    this.internal = {
      refId: 'A',
      datasource: { type: POSTGRES_TYPE, uid: datasourceUid },
      rawSql,
      format: 'table',
      editorMode: 'code',
      rawQuery: true,
      _implementsDataqueryVariant() {},
    };
  }

  build(): PostgresQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  format(format: QueryFormat): this {
    this.internal.format = format;
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }
}

/** A table-format query: the common case. */
export const tableQuery = (datasourceUid: string, rawSql: string) => new PostgresQueryBuilder(datasourceUid, rawSql);

/** A time-series query: the SQL must return a `time` column and numbers (and optionally a `metric` column). */
export const timeSeriesQuery = (datasourceUid: string, rawSql: string) =>
  new PostgresQueryBuilder(datasourceUid, rawSql).format('time_series');
