// React Router v6 driven by @grafana/runtime's locationService, as Grafana's app shell does: the
// service's history is the router's navigator, so a plugin's <Navigate>/useNavigate and
// locationService.push() move the same history, and its listeners re-render the routes.
import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { Router, type Location, type NavigationType } from 'react-router';
import { locationService } from '@grafana/runtime';

interface RouterState {
  location: Partial<Location>;
  action: NavigationType;
}

export function LocationRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [state, setState] = useState<RouterState>({ location: history.location, action: history.action });
  useLayoutEffect(
    () => history.listen((location: Partial<Location>, action: NavigationType) => setState({ location, action })),
    [history]
  );
  return (
    <Router location={state.location} navigationType={state.action} navigator={history}>
      {children}
    </Router>
  );
}
