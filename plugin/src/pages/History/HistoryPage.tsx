// View history page: `history/:view` shows that view's refresh log; bare `history` offers a picker.
import React from 'react';
import { useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { testIds } from '../../testIds';
import { ViewHistory } from './ViewHistory';
import { ViewPicker } from './ViewPicker';

export function HistoryPage() {
  // react-router hands the parameter over decoded: `pos.%22my%20view%22` arrives as `pos."my view"`.
  const { view } = useParams<{ view?: string }>();
  return (
    <PluginPage pageNav={{ text: view ? `History of ${view}` : 'View history' }}>
      <div data-testid={testIds.history.page}>
        {/* Keyed by view: another view starts on its own newest page, not on this one's cursor. */}
        {view ? <ViewHistory key={view} view={view} /> : <ViewPicker />}
      </div>
    </PluginPage>
  );
}

export default HistoryPage;
