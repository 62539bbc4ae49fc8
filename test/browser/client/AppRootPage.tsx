// /a/<app id>/*: the app's root page as Grafana's AppRootPage renders it
// (public/app/features/plugins/components/AppRootPage.tsx): settings from
// GET /api/plugins/<id>/settings, refused unless the app is enabled, module.js imported, then
// plugin.root inside PluginContextProvider and an error boundary, with meta, basename, path, query.
import React, { useEffect, useMemo, useState } from 'react';
import { useLocation, useParams } from 'react-router';
import { AppEvents, PluginContextProvider, PluginType, type AppPlugin, type AppPluginMeta } from '@grafana/data';
import { getAppEvents, getBackendSrv, locationSearchToObject } from '@grafana/runtime';
import { Alert, ErrorBoundaryAlert, LoadingPlaceholder } from '@grafana/ui';
import { importAppPlugin } from './pluginImporter';

type Loaded = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; plugin: AppPlugin };

/** getAppPluginPageError: what keeps an app's pages from opening. */
function pageError(meta: AppPluginMeta): string | null {
  if (meta.type !== PluginType.app) {
    return 'Plugin must be an app';
  }
  if (!meta.enabled) {
    return 'Application Not Enabled';
  }
  return null;
}

export async function loadAppPlugin(pluginId: string): Promise<AppPlugin> {
  const meta = await getBackendSrv().get<AppPluginMeta>(`/api/plugins/${pluginId}/settings`);
  const error = pageError(meta);
  if (error) {
    getAppEvents().publish({ type: AppEvents.alertError.name, payload: [error] });
    throw new Error(error);
  }
  return importAppPlugin(meta);
}

export function useAppPlugin(pluginId: string): Loaded {
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  useEffect(() => {
    let current = true;
    loadAppPlugin(pluginId).then(
      (plugin) => current && setState({ kind: 'ready', plugin }),
      (err: Error) => {
        // Grafana logs a plugin that fails to load; a spec's console guard sees it.
        console.error(err);
        if (current) {
          setState({ kind: 'failed', message: err.message });
        }
      }
    );
    return () => {
      current = false;
    };
  }, [pluginId]);
  return state;
}

export function AppRootPage() {
  const { pluginId = '' } = useParams();
  const location = useLocation();
  const loaded = useAppPlugin(pluginId);
  const query = useMemo(() => locationSearchToObject(location.search), [location.search]);
  if (loaded.kind === 'loading') {
    return <LoadingPlaceholder text="Loading plugin…" />;
  }
  if (loaded.kind === 'failed') {
    return <Alert title={`App ${pluginId} could not be opened`}>{loaded.message}</Alert>;
  }
  const { plugin } = loaded;
  if (!plugin.root) {
    return <Alert title="No root app page component found" />;
  }
  return (
    <PluginContextProvider meta={plugin.meta}>
      <ErrorBoundaryAlert title="Plugin failed to load" style="page">
        <plugin.root
          meta={plugin.meta}
          basename={location.pathname}
          onNavChanged={() => undefined}
          query={query}
          path={location.pathname}
        />
      </ErrorBoundaryAlert>
    </PluginContextProvider>
  );
}
