import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Icon, useStyles2, type IconName } from '@grafana/ui';
import { testIds } from '../../testIds';
import type { CheckState, Diagnosis } from './diagnose';

const ICON: Record<CheckState, IconName> = { ok: 'check', failed: 'times', not_checked: 'minus' };
const STATE_TEXT: Record<CheckState, string> = { ok: 'OK', failed: 'failed', not_checked: 'not checked' };

function title(d: Diagnosis): string {
  if (!d.ready) {
    return d.problems.length === 1 ? '1 problem found' : `${d.problems.length} problems found`;
  }
  return d.notes.length ? 'Ready, as far as you can test' : 'Ready';
}

/** Every check with its state, then each problem with its fix. */
export function DiagnosisView({ diagnosis }: { diagnosis: Diagnosis }) {
  const s = useStyles2(getStyles);
  return (
    <Alert
      severity={diagnosis.ready ? 'success' : 'error'}
      title={title(diagnosis)}
      data-testid={testIds.appConfig.testResult}
    >
      <ul className={s.list} aria-label="Checks">
        {diagnosis.checks.map((c) => (
          <li key={c.id} data-check={c.id} data-state={c.state}>
            <Icon name={ICON[c.state]} className={s[c.state]} /> <strong>{c.label}</strong>: {STATE_TEXT[c.state]}
            {c.detail ? ` — ${c.detail}` : ''}
          </li>
        ))}
      </ul>
      {diagnosis.problems.length > 0 && (
        <ul className={s.list} aria-label="Problems">
          {diagnosis.problems.map((p, i) => (
            <li key={`${p.code}-${i}`} data-problem={p.code}>
              <strong>{p.title}</strong>: {p.detail}
              {p.fix && <div className={s.fix}>Fix: {p.fix}</div>}
            </li>
          ))}
        </ul>
      )}
      {diagnosis.notes.map((n) => (
        <p key={n} className={s.note}>
          {n}
        </p>
      ))}
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: theme.spacing(0, 0, 1, 0), padding: 0 }),
  fix: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(0.5) }),
  note: css({ margin: theme.spacing(1, 0, 0, 0) }),
  ok: css({ color: theme.colors.success.text }),
  failed: css({ color: theme.colors.error.text }),
  not_checked: css({ color: theme.colors.text.secondary }),
});
