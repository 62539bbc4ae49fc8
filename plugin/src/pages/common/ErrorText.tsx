// A PostgreSQL failure: the SQLSTATE as a code (what to search the docs for) and then the message.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

interface Props {
  sqlstate: string | null;
  message: string | null;
  'data-testid'?: string;
}

export function ErrorText({ sqlstate, message, 'data-testid': testId }: Props) {
  const styles = useStyles2(getStyles);
  if (!sqlstate && !message) {
    return null;
  }
  return (
    // The full text stays in the title: long messages are clamped to three lines.
    <span className={styles.error} title={[sqlstate, message].filter(Boolean).join(': ')} data-testid={testId}>
      {sqlstate && <code className={styles.code}>{sqlstate}</code>} {message}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  error: css({
    color: theme.colors.error.text,
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    overflowWrap: 'anywhere',
  }),
  code: css({ fontFamily: theme.typography.fontFamilyMonospace, fontWeight: theme.typography.fontWeightMedium }),
});
