// What the Views page shows instead of a table: no managed views at all, or none that match.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, EmptyState, TextLink, useStyles2 } from '@grafana/ui';
import { testIds } from '../../testIds';

const REGISTER = `SELECT mv_ops.register_view('schema.my_view', 'my_pack', 'What it holds',
       schedule => '*/15 * * * *', warn_after => '20 minutes', error_after => '1 hour');`;

export function NoViews() {
  const styles = useStyles2(getStyles);
  return (
    <div data-testid={testIds.views.empty}>
      {/* No picture: the instructions are the point. EmptyState sets its children in a <span>, so
          only phrasing content goes inside. */}
      <EmptyState variant="call-to-action" message="No materialized views are managed yet" hideImage>
        Register one in the database, as its owner. The view needs a unique index on plain columns, so it can be
        refreshed concurrently:
        <code className={styles.code}>{REGISTER}</code>
        It appears here on the next refresh of this page, and the scheduler (
        <TextLink href="https://github.com/citusdata/pg_cron" external inline>
          pg_cron
        </TextLink>
        , or whatever calls <code>mv_ops.run_due()</code>) refreshes it on its schedule.
      </EmptyState>
    </div>
  );
}

export function NoMatch({ total, onClear }: { total: number; onClear: () => void }) {
  return (
    <div data-testid={testIds.views.noMatch}>
      <EmptyState
        variant="not-found"
        message={`None of the ${total} managed views match these filters`}
        button={
          <Button variant="secondary" icon="times" onClick={onClear} data-testid={testIds.views.clearFilters}>
            Clear filters
          </Button>
        }
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({
    display: 'block',
    margin: theme.spacing(2, 0),
    padding: theme.spacing(1, 2),
    textAlign: 'left',
    whiteSpace: 'pre-wrap',
    fontFamily: theme.typography.fontFamilyMonospace,
    background: theme.colors.background.secondary,
  }),
});
