import React from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import Overview from '../../pages/Overview';

// Root page of the app: every path under /a/matviewops-app lands on Overview for now;
// the status, history and config pages get their own <Route> here later.
function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path="*" element={<Overview />} />
    </Routes>
  );
}

export default App;
