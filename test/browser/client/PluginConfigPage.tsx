// /plugins/<app id>?page=<config page id>: the app's configuration pages as Grafana's plugin details
// page shows them (public/app/features/plugins/admin: a tab per plugin.configPages entry whose body
// gets the loaded plugin, its meta from the settings API, and the query).
import React, { useMemo } from 'react';
import { useLocation, useParams } from 'react-router';
import { PluginContextProvider } from '@grafana/data';
import { locationSearchToObject, locationService } from '@grafana/runtime';
import { Alert, ErrorBoundaryAlert, LoadingPlaceholder, Tab, TabsBar } from '@grafana/ui';
import { useAppPlugin } from './AppRootPage';

export function PluginConfigPage() {
  const { pluginId = '' } = useParams();
  const location = useLocation();
  const loaded = useAppPlugin(pluginId);
  const query = useMemo(() => locationSearchToObject(location.search), [location.search]);
  if (loaded.kind === 'loading') {
    return <LoadingPlaceholder text="Loading plugin…" />;
  }
  if (loaded.kind === 'failed') {
    return <Alert title={`Plugin ${pluginId} could not be loaded`}>{loaded.message}</Alert>;
  }
  const { plugin } = loaded;
  const pages = plugin.configPages ?? [];
  const current = pages.find((p) => p.id === query.page) ?? pages[0];
  if (!current) {
    return <Alert title="This app has no configuration page" severity="info" />;
  }
  return (
    <PluginContextProvider meta={plugin.meta}>
      <h1>{plugin.meta.name}</h1>
      <TabsBar>
        {pages.map((p) => (
          <Tab
            key={p.id}
            label={p.title}
            icon={p.icon}
            active={p.id === current.id}
            onChangeTab={() => locationService.partial({ page: p.id })}
          />
        ))}
      </TabsBar>
      <ErrorBoundaryAlert title="Plugin failed to load" style="page">
        <current.body plugin={plugin} query={query} />
      </ErrorBoundaryAlert>
    </PluginContextProvider>
  );
}
