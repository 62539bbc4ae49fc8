import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import { testIds } from '../testIds';
import App from './App';

// App ignores its props for now; the cast keeps the test honest about that.
const props = {} as AppRootProps;
// Opt in to react-router v7 behaviour so the tests don't print its deprecation warnings.
const future = { v7_startTransition: true, v7_relativeSplatPath: true };

describe('App', () => {
  it.each(['/', '/overview', '/no-such-page'])('shows the Overview page at %s', (path) => {
    render(
      <MemoryRouter initialEntries={[path]} future={future}>
        <App {...props} />
      </MemoryRouter>
    );

    expect(screen.getByTestId(testIds.overview.container)).toBeInTheDocument();
  });
});
