// Grafana's global alerts: what backendSrv (or a plugin) emits as alertSuccess / alertWarning /
// alertError on appEvents is shown as a toast for a few seconds, as Grafana's AppNotificationList does.
import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { AppEvents, type BusEventType, type GrafanaTheme2 } from '@grafana/data';
import { getAppEvents } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';

interface Toast {
  id: number;
  severity: 'success' | 'warning' | 'error';
  title: string;
  text?: string;
}

const KINDS = [
  [AppEvents.alertSuccess.name, 'success'],
  [AppEvents.alertWarning.name, 'warning'],
  [AppEvents.alertError.name, 'error'],
] as const;
const SHOWN_MS = 6000;

export function Toasts() {
  const styles = useStyles2(getStyles);
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    let next = 0;
    const subscriptions = KINDS.map(([type, severity]) =>
      getAppEvents()
        .getStream({ type } as BusEventType<{ type: string; payload?: unknown[] }>)
        .subscribe((event) => {
          const [title, text] = (event.payload ?? []) as [unknown, unknown];
          const toast = { id: ++next, severity, title: String(title ?? ''), text: text ? String(text) : undefined };
          setToasts((all) => [...all, toast]);
          setTimeout(() => setToasts((all) => all.filter((t) => t.id !== toast.id)), SHOWN_MS);
        })
    );
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }, []);
  return (
    <div className={styles.list}>
      {toasts.map((t) => (
        <Alert key={t.id} severity={t.severity} title={t.title}>
          {t.text}
        </Alert>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    position: 'fixed',
    top: theme.spacing(6),
    right: theme.spacing(2),
    width: 400,
    zIndex: theme.zIndex.portal,
  }),
});
