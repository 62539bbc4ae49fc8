import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { PLUGIN_BASE_URL, ROUTES } from '../../constants';
import HistoryPage from '../../pages/History/HistoryPage';
import ViewsPage from '../../pages/Views/ViewsPage';

// Grafana mounts the app under /a/matviewops-app/*, so these paths are relative to that. Anything
// else goes to the Views page, the app's default, under its own URL (so the nav highlights it).
function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Views} element={<ViewsPage />} />
      <Route path={ROUTES.History} element={<HistoryPage />} />
      <Route path={`${ROUTES.History}/:view`} element={<HistoryPage />} />
      <Route path="*" element={<Navigate to={`${PLUGIN_BASE_URL}/${ROUTES.Views}`} replace />} />
    </Routes>
  );
}

export default App;
