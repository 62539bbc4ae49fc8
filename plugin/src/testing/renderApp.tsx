// Renders the app as Grafana mounts it (under /a/matviewops-app/*) at a path, with the current
// location printed in a test id, so tests can follow links and redirects.
import './comboboxDom';
import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { act, render, screen } from '@testing-library/react';
import App from '../components/App/App';
import { PLUGIN_BASE_URL } from '../constants';

// Opt in to react-router v7 behaviour so the tests don't print its deprecation warnings.
export const routerFuture = { v7_startTransition: true, v7_relativeSplatPath: true };

const LOCATION = 'test location';

function Location() {
  const l = useLocation();
  return <output data-testid={LOCATION}>{`${l.pathname}${l.search}`}</output>;
}

/** `path` is relative to the app, e.g. "history/pos.mv_x". */
export async function renderApp(path: string) {
  render(
    <MemoryRouter initialEntries={[`${PLUGIN_BASE_URL}/${path}`]} future={routerFuture}>
      <Routes>
        {/* The app ignores its props; the cast keeps the test honest about that. */}
        <Route path={`${PLUGIN_BASE_URL}/*`} element={<App {...({} as AppRootProps)} />} />
      </Routes>
      <Location />
    </MemoryRouter>
  );
  await settle();
}

export const currentLocation = () => screen.getByTestId(LOCATION).textContent;

/** Lets fake timers run `ms` and every answer they release reach the screen. */
export const settle = (ms = 0) =>
  act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
