// Views page (the app's default): every managed view's freshness, filtered in the browser, kept up to
// date by polling. A failed poll keeps the last list on screen with a warning of its age.
import React, { useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder } from '@grafana/ui';
import { mayRefresh, REFRESH_NEEDS_ADMIN } from '../../auth/role';
import { DEFAULT_AUTO_REFRESH_MS } from '../../constants';
import { formatAbsolute, formatRelative } from '../../format/time';
import { testIds } from '../../testIds';
import { packsOf, useManagedViews } from '../../views/useManagedViews';
import { filterViews, NO_FILTERS } from './filterViews';
import { useViewFilters } from './useViewFilters';
import { NoMatch, NoViews } from './ViewsEmpty';
import { ViewsTable } from './ViewsTable';
import { ViewsToolbar } from './ViewsToolbar';

const fetchedText = (at: number): string => {
  const iso = new Date(at).toISOString();
  return `${formatAbsolute(iso)} (${formatRelative(iso)})`;
};

export function ViewsPage() {
  const [intervalMs, setIntervalMs] = useState(DEFAULT_AUTO_REFRESH_MS);
  const { views, fetchedAt, error, reload } = useManagedViews(intervalMs);
  const [filters, setFilters] = useViewFilters();
  const shown = useMemo(() => (views ? filterViews(views, filters) : []), [views, filters]);
  const packs = useMemo(() => packsOf(views ?? []), [views]);

  let body: React.ReactNode;
  if (!views && error) {
    body = (
      <Alert severity="error" title="Could not load the managed views" data-testid={testIds.views.error}>
        <p>{error.message}</p>
        <Button size="sm" variant="secondary" icon="sync" onClick={reload}>
          Try again
        </Button>
      </Alert>
    );
  } else if (!views) {
    body = <LoadingPlaceholder text="Loading managed views…" data-testid={testIds.views.loading} />;
  } else if (views.length === 0) {
    body = <NoViews />;
  } else if (shown.length === 0) {
    body = <NoMatch total={views.length} onClear={() => setFilters(NO_FILTERS)} />;
  } else {
    body = <ViewsTable views={shown} reload={reload} />;
  }

  return (
    <PluginPage>
      <div data-testid={testIds.views.page}>
        <ViewsToolbar
          filters={filters}
          onFilters={setFilters}
          packs={packs}
          intervalMs={intervalMs}
          onInterval={setIntervalMs}
          fetchedAt={fetchedAt}
        />
        {views && error && fetchedAt !== undefined && (
          <Alert severity="warning" title="Could not refresh the list" data-testid={testIds.views.pollError}>
            {error.message} Showing the list as fetched at {fetchedText(fetchedAt)}.
          </Alert>
        )}
        {views && views.length > 0 && !mayRefresh() && (
          // Said once for the page; each row's disabled button repeats it in its tooltip.
          <Alert severity="info" title="Read only" data-testid={testIds.views.roleNote}>
            {`${REFRESH_NEEDS_ADMIN} You can read every view’s state and history.`}
          </Alert>
        )}
        {body}
      </div>
    </PluginPage>
  );
}

export default ViewsPage;
