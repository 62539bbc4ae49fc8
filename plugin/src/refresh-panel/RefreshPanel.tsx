// The refresh panel: how fresh its target views are, compactly, and the refresh flow for admins.
import React, { useCallback } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { RunStatus } from '../api/types';
import { RefreshControl } from '../components/refresh/RefreshControl';
import { refreshDashboard } from '../refresh/dashboardRefresh';
import { testIds } from '../testIds';
import { FreshnessList } from './FreshnessList';
import { refreshRequestOf, type RefreshPanelOptions } from './options';
import { useManagedViews } from '../views/useManagedViews';

const FRESHNESS_EVERY_MS = 30_000;

export function RefreshPanel({ options, width, height }: PanelProps<RefreshPanelOptions>) {
  const styles = useStyles2(getStyles);
  const request = refreshRequestOf(options);
  const managed = useManagedViews(FRESHNESS_EVERY_MS);
  const { reload } = managed;
  const onFinished = useCallback(
    (run: RunStatus) => {
      reload();
      // A run that refreshed anything changed what the dashboard's panels read.
      if (options.refreshDashboard && (run.counts.succeeded ?? 0) > 0) {
        refreshDashboard();
      }
    },
    [reload, options.refreshDashboard]
  );

  if (!request) {
    return (
      <div className={styles.panel} data-testid={testIds.panel.container}>
        <Alert severity="info" title="Nothing to refresh yet" data-testid={testIds.panel.notConfigured}>
          Choose a pack or views in the panel options.
        </Alert>
      </div>
    );
  }
  const targets = (managed.views ?? []).filter((v) =>
    request.pack ? v.pack === request.pack : (request.views ?? []).includes(v.view)
  );
  return (
    <div className={styles.panel} style={{ width, height }} data-testid={testIds.panel.container}>
      {managed.error && (
        <Alert severity="warning" title="Freshness could not be read" data-testid={testIds.panel.error}>
          {managed.error.message}
        </Alert>
      )}
      {managed.loading && <LoadingPlaceholder text="Reading freshness…" />}
      {managed.views && <FreshnessList views={targets} wanted={request.views} />}
      <RefreshControl
        target={request}
        buttonText={options.buttonText}
        confirmText={options.confirmText}
        onFinished={onFinished}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    padding: theme.spacing(1),
    overflow: 'auto',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
});
