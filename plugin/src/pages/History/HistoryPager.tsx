// Newer / Older buttons for the history, with the page number between them.
import React from 'react';
import { Button, Stack } from '@grafana/ui';
import { testIds } from '../../testIds';
import type { HistoryPages } from './useHistoryPages';

export function HistoryPager({ pages }: { pages: HistoryPages }) {
  return (
    <Stack direction="row" gap={1} alignItems="center">
      <Button
        size="sm"
        variant="secondary"
        icon="angle-left"
        disabled={!pages.hasNewer || pages.loading}
        onClick={pages.newer}
        data-testid={testIds.history.newer}
      >
        Newer
      </Button>
      <span data-testid={testIds.history.pageNumber}>Page {pages.pageNumber}</span>
      <Button
        size="sm"
        variant="secondary"
        disabled={!pages.hasOlder || pages.loading}
        onClick={pages.older}
        data-testid={testIds.history.older}
      >
        Older
      </Button>
    </Stack>
  );
}
