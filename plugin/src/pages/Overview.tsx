import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { testIds } from '../components/testIds';

// Placeholder until the refresh status page lands; it proves the app loads and routes.
function Overview() {
  return (
    <PluginPage>
      <div data-testid={testIds.overview.container}>
        <Alert severity="info" title="Materialized view status is coming">
          The refresh status page arrives in a later issue.
        </Alert>
      </div>
    </PluginPage>
  );
}

export default Overview;
