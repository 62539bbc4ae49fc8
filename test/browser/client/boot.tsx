// The host page's entry: what Grafana's app shell sets up before any plugin runs (backendSrv, app
// events, the theme from boot data, the router on locationService), the shared modules registered
// in SystemJS, then the routes of the pages a plugin can have: app root, config, dashboard.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { EventBusSrv, ThemeContext } from '@grafana/data';
import { config, setAppEvents, setBackendSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { AppRootPage } from './AppRootPage';
import { createBackendSrv } from './backendSrv';
import { DashboardPage } from './DashboardPage';
import { HostChrome, hostSettings } from './HostChrome';
import { LocationRouter } from './LocationRouter';
import { registerOptionEditors } from './optionEditors';
import { PluginConfigPage } from './PluginConfigPage';
import { registerSharedDependencies } from './sharedDependencies';
import { Toasts } from './Toasts';

setBackendSrv(createBackendSrv());
setAppEvents(new EventBusSrv());
registerSharedDependencies();
registerOptionEditors();

function Pages() {
  const location = useLocation();
  return (
    <HostChrome pathname={location.pathname}>
      <Routes>
        <Route path="/a/:pluginId/*" element={<AppRootPage />} />
        <Route path="/plugins/:pluginId" element={<PluginConfigPage />} />
        <Route path="/d/:uid/*" element={<DashboardPage />} />
        <Route path="*" element={<Navigate to={hostSettings().nav[0]?.url ?? '/'} replace />} />
      </Routes>
    </HostChrome>
  );
}

createRoot(document.getElementById('reactRoot')!).render(
  <ThemeContext.Provider value={config.theme2}>
    <GlobalStyles />
    <LocationRouter>
      <Pages />
    </LocationRouter>
    <Toasts />
  </ThemeContext.Provider>
);
