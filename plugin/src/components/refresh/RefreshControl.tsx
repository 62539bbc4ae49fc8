// The refresh button with its whole flow: confirmation, the service's answer, per-view progress and the
// result. Used by the refresh panel and, per view, by the Views and View history pages.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, Stack, useStyles2 } from '@grafana/ui';
import type { RefreshRequest, RunStatus } from '../../api/types';
import { mayRefresh, REFRESH_NEEDS_ADMIN } from '../../auth/role';
import { useRefreshRun } from '../../refresh/useRefreshRun';
import { testIds } from '../../testIds';
import { RefreshFeedback } from './RefreshFeedback';
import { useRetryWait } from './useRetryWait';

export interface RefreshControlProps {
  target: RefreshRequest;
  buttonText?: string;
  confirmText?: string;
  size?: 'sm' | 'md';
  /** Say under the disabled button why it is disabled (off where the page says it once). */
  roleHint?: boolean;
  onFinished?: (run: RunStatus) => void;
}

/**
 * Where a run is remembered: the canonical request, so every control for the same request (the panel,
 * a view's row, its history page, another tab) follows the same run, and a reload resumes it.
 */
export function runKey(t: RefreshRequest): string {
  const views = t.views ? [...t.views].sort() : null;
  return JSON.stringify({ pack: t.pack ?? null, views, cascade: t.cascade !== false });
}

/** Remounted when the request changes, so a control never shows another request's run. */
export function RefreshControl(props: RefreshControlProps) {
  const key = runKey(props.target);
  return <RefreshFlow key={key} storageKey={key} {...props} />;
}

export function describeTarget(t: RefreshRequest): string {
  const what = t.pack ? `every view of the pack "${t.pack}"` : (t.views ?? []).join(', ') || 'nothing';
  return t.cascade === false ? what : `${what}, and the views built on them`;
}

function RefreshFlow({
  target,
  storageKey,
  buttonText,
  confirmText,
  size = 'md',
  roleHint = true,
  onFinished,
}: RefreshControlProps & { storageKey: string }) {
  const styles = useStyles2(getStyles);
  const allowed = mayRefresh();
  const { phase, ask, confirm, dismiss } = useRefreshRun(target, storageKey, onFinished);
  const wait = useRetryWait(phase.kind === 'failed' ? phase.retryUntil : undefined);
  const busy = phase.kind === 'requesting' || phase.kind === 'following';
  const label = buttonText || 'Refresh';

  if (!allowed) {
    return (
      <Stack direction="column" gap={0.5}>
        <Button size={size} icon="sync" disabled tooltip={REFRESH_NEEDS_ADMIN} data-testid={testIds.refresh.button}>
          {label}
        </Button>
        {roleHint && (
          <span className={styles.hint} data-testid={testIds.refresh.roleHint}>
            {REFRESH_NEEDS_ADMIN}
          </span>
        )}
      </Stack>
    );
  }
  return (
    <div className={styles.control}>
      <Button
        size={size}
        icon={busy ? 'spinner' : 'sync'}
        disabled={busy || wait > 0}
        onClick={ask}
        data-testid={testIds.refresh.button}
      >
        {busy ? 'Refreshing…' : wait > 0 ? `${label} (wait ${wait} s)` : label}
      </Button>
      <ConfirmModal
        isOpen={phase.kind === 'confirming'}
        title="Refresh materialized views"
        body={
          <div data-testid={testIds.refresh.confirm}>{confirmText || `Refresh ${describeTarget(target)} now?`}</div>
        }
        confirmText="Refresh now"
        confirmVariant="primary"
        onConfirm={confirm}
        onDismiss={dismiss}
      />
      <RefreshFeedback phase={phase} onDismiss={dismiss} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  control: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), alignItems: 'flex-start' }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
