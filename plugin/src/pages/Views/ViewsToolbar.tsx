// Filters (name search, pack, states) and the auto-refresh picker above the Views table.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Combobox, Icon, Input, MultiCombobox, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { ViewState } from '../../api/types';
import { AUTO_REFRESH_CHOICES } from '../../constants';
import { VIEW_STATE_LOOK, VIEW_STATES } from '../../format/state';
import { formatAbsolute } from '../../format/time';
import { testIds } from '../../testIds';
import type { ViewFilters } from './filterViews';

interface Props {
  filters: ViewFilters;
  onFilters: (next: ViewFilters) => void;
  packs: string[];
  intervalMs: number;
  onInterval: (ms: number) => void;
  fetchedAt?: number;
}

const stateOptions = VIEW_STATES.map((s) => ({ value: s, label: VIEW_STATE_LOOK[s].label }));

export function ViewsToolbar({ filters, onFilters, packs, intervalMs, onInterval, fetchedAt }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.bar}>
      <Input
        className={styles.search}
        prefix={<Icon name="search" />}
        placeholder="Search by name"
        aria-label="Search views by name"
        value={filters.search}
        onChange={(e) => onFilters({ ...filters, search: e.currentTarget.value })}
        data-testid={testIds.views.search}
      />
      <Combobox
        width={24}
        isClearable
        placeholder="All packs"
        aria-label="Filter by pack"
        options={packs.map((p) => ({ value: p, label: p }))}
        value={filters.pack || null}
        onChange={(o) => onFilters({ ...filters, pack: o?.value ?? '' })}
        data-testid={testIds.views.packFilter}
      />
      <MultiCombobox<ViewState>
        width="auto"
        minWidth={24}
        maxWidth={60}
        isClearable
        placeholder="All states"
        aria-label="Filter by state"
        options={stateOptions}
        value={filters.states}
        onChange={(opts) => onFilters({ ...filters, states: opts.map((o) => o.value) })}
        data-testid={testIds.views.stateFilter}
      />
      <div className={styles.refresh}>
        {fetchedAt !== undefined && (
          <span className={styles.fetched} data-testid={testIds.views.fetchedAt}>
            Updated {formatAbsolute(new Date(fetchedAt).toISOString())}
          </span>
        )}
        <RadioButtonGroup
          size="sm"
          aria-label="Auto-refresh"
          options={AUTO_REFRESH_CHOICES}
          value={intervalMs}
          onChange={onInterval}
          data-testid={testIds.views.autoRefresh}
        />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  }),
  search: css({ maxWidth: 320 }),
  refresh: css({ marginLeft: 'auto', display: 'flex', gap: theme.spacing(1), alignItems: 'center' }),
  fetched: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
