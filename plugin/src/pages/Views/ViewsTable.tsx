// The managed views as a table, one ViewRow each.
import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { ViewStatus } from '../../api/types';
import { testIds } from '../../testIds';
import { getTableStyles } from '../common/tableStyles';
import { ViewRow } from './ViewRow';

interface Props {
  views: ViewStatus[];
  reload: () => void;
}

export function ViewsTable({ views, reload }: Props) {
  const styles = useStyles2(getTableStyles);
  return (
    <div className={styles.wrapper}>
      <table className={styles.table} data-testid={testIds.views.table}>
        <thead>
          <tr>
            <th>View</th>
            <th>State</th>
            <th>Pack</th>
            <th title="How the view is refreshed (Full or Incremental), and whether today's figures are read live">
              Mode
            </th>
            <th className={styles.number} title="How far behind its sources the view is">
              Lag
            </th>
            <th>Last success</th>
            <th className={styles.number}>Last duration</th>
            <th className={styles.number} title="Median of the last 20 successful refreshes">
              Typical
            </th>
            <th className={styles.number}>Size</th>
            <th className={styles.number}>Rows</th>
            <th>Last error</th>
            <th>Refresh</th>
          </tr>
        </thead>
        <tbody>
          {views.map((v) => (
            <ViewRow key={v.view} view={v} reload={reload} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
