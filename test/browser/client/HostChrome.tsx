// The host's frame around the plugin's pages: a top bar that says plainly this is a test host, not
// Grafana, its navigation (the app's nav pages, configuration, dashboards) and who is signed in.
import React, { type ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { config, locationService } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';

interface HostSettings {
  banner: string;
  nav: Array<{ text: string; url: string }>;
}

export const hostSettings = (): HostSettings =>
  (config.bootData.settings as unknown as { matviewopsHost: HostSettings }).matviewopsHost;

export function HostChrome({ children, pathname }: { children: ReactNode; pathname: string }) {
  const styles = useStyles2(getStyles);
  const { banner, nav } = hostSettings();
  const user = config.bootData.user;
  return (
    <div className={styles.page}>
      <header className={styles.bar}>
        <span className={styles.banner}>{banner}</span>
        <nav className={styles.nav}>
          {nav.map((item) => (
            <a
              key={item.url}
              href={item.url}
              className={pathname.startsWith(item.url) ? styles.active : undefined}
              onClick={(e) => {
                e.preventDefault();
                locationService.push(item.url);
              }}
            >
              {item.text}
            </a>
          ))}
        </nav>
        <span className={styles.user}>
          {user.name} ({user.login}, {user.orgRole}) · <a href="/login">switch user</a>
        </span>
      </header>
      <main className={styles.main}>{children}</main>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ minHeight: '100vh', background: theme.colors.background.canvas }),
  bar: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(3),
    padding: theme.spacing(1, 2),
    background: theme.colors.background.primary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  banner: css({ color: theme.colors.warning.text, fontWeight: theme.typography.fontWeightMedium }),
  nav: css({ display: 'flex', gap: theme.spacing(2), a: { color: theme.colors.text.secondary } }),
  active: css({ color: `${theme.colors.text.primary} !important`, fontWeight: theme.typography.fontWeightMedium }),
  user: css({ marginLeft: 'auto', color: theme.colors.text.secondary }),
  main: css({ padding: theme.spacing(2, 3) }),
});
