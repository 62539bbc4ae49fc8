// One view's refresh log: its freshness, a refresh control, a duration sparkline and the attempts,
// a page at a time. A finished refresh brings the newest page (and the freshness) back.
import React, { useCallback, useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, EmptyState, LoadingPlaceholder, TextLink, useStyles2 } from '@grafana/ui';
import type { RefreshRequest } from '../../api/types';
import { RefreshControl } from '../../components/refresh/RefreshControl';
import { viewsUrl } from '../../constants';
import { testIds } from '../../testIds';
import { useManagedViews } from '../../views/useManagedViews';
import { DurationSparkline } from './DurationSparkline';
import { HistoryPager } from './HistoryPager';
import { HistoryTable } from './HistoryTable';
import { useHistoryPages } from './useHistoryPages';
import { ViewFreshness } from './ViewFreshness';

export function ViewHistory({ view }: { view: string }) {
  const styles = useStyles2(getStyles);
  const pages = useHistoryPages(view);
  const list = useManagedViews();
  // The service answers with the registered name, also when the path holds a bare view name.
  const name = pages.page?.view ?? view;
  const status = list.views?.find((v) => v.view === name);
  const target = useMemo<RefreshRequest>(() => ({ views: [view], cascade: true }), [view]);
  const { first, page, error } = pages;
  const reloadList = list.reload;
  const onFinished = useCallback(() => {
    first();
    reloadList();
  }, [first, reloadList]);

  // No such managed view: nothing to retry and nothing to refresh; offer the list instead.
  const unknown = error?.code === 'unknown_view';
  let body: React.ReactNode;
  if (unknown) {
    body = (
      <Alert severity="warning" title="No managed view has this name" data-testid={testIds.history.error}>
        {error.message} Pick one from the list of managed views.
      </Alert>
    );
  } else if (error) {
    body = (
      <Alert severity="error" title="Could not load the refresh history" data-testid={testIds.history.error}>
        <p>{error.message}</p>
        <Button size="sm" variant="secondary" icon="sync" onClick={pages.retry}>
          Try again
        </Button>
      </Alert>
    );
  } else if (!page) {
    body = <LoadingPlaceholder text="Loading refresh history…" data-testid={testIds.history.loading} />;
  } else if (page.history.length === 0 && pages.pageNumber === 1) {
    body = (
      <div data-testid={testIds.history.empty}>
        <EmptyState variant="not-found" message="No refresh attempts are logged for this view yet" hideImage />
      </div>
    );
  } else {
    body = (
      <>
        <DurationSparkline attempts={page.history} />
        <HistoryTable attempts={page.history} dimmed={pages.loading} />
      </>
    );
  }

  return (
    <>
      <div className={styles.header}>
        <div className={styles.title}>
          <h2 className={styles.name}>{name}</h2>
          {status && <ViewFreshness status={status} />}
          {!status && list.loading && <LoadingPlaceholder text="Reading freshness…" />}
          {!status && list.error && (
            <span className={styles.muted}>Freshness could not be read: {list.error.message}</span>
          )}
        </div>
        {!unknown && <RefreshControl target={target} onFinished={onFinished} />}
      </div>
      {body}
      {(page || error) && (
        <div className={styles.footer}>
          <HistoryPager pages={pages} />
          <TextLink href={viewsUrl()} inline={false}>
            All views
          </TextLink>
        </div>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
  title: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  name: css({ fontFamily: theme.typography.fontFamilyMonospace, margin: 0 }),
  footer: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: theme.spacing(2) }),
  muted: css({ color: theme.colors.text.secondary }),
});
