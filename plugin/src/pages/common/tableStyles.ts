// The one look of the pages' tables: compact rows, numbers right-aligned so digits line up.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

export const getTableStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ overflowX: 'auto' }),
  /** Rows kept on screen while the next page loads. */
  dimmed: css({ opacity: 0.5 }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    th: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
      whiteSpace: 'nowrap',
    },
    'tbody tr:hover': { background: theme.colors.action.hover },
  }),
  // '&&' outweighs the table's own `th, td` alignment.
  number: css({ '&&': { textAlign: 'right' }, whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  secondary: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
