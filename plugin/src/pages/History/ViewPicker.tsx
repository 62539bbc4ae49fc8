// The history page without a view in its path: choose one of the managed views.
import React from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Combobox, EmptyState, Field, LoadingPlaceholder, TextLink } from '@grafana/ui';
import { historyUrl, viewsUrl } from '../../constants';
import { testIds } from '../../testIds';
import { useManagedViews } from '../../views/useManagedViews';

export function ViewPicker() {
  const { views, error } = useManagedViews();
  const navigate = useNavigate();
  if (error && !views) {
    return (
      <Alert severity="error" title="Could not load the managed views" data-testid={testIds.history.error}>
        {error.message}
      </Alert>
    );
  }
  if (!views) {
    return <LoadingPlaceholder text="Loading managed views…" data-testid={testIds.history.loading} />;
  }
  if (views.length === 0) {
    return (
      <div data-testid={testIds.history.empty}>
        <EmptyState variant="not-found" message="No materialized views are managed yet" hideImage>
          <TextLink href={viewsUrl()} inline>
            The Views page
          </TextLink>{' '}
          says how to register one.
        </EmptyState>
      </div>
    );
  }
  return (
    <Field label="View" description="Whose refresh history to show">
      <Combobox
        width={60}
        placeholder="Choose a managed view"
        options={views.map((v) => ({ value: v.view, label: v.view, description: v.pack }))}
        onChange={(o) => navigate(historyUrl(o.value))}
        data-testid={testIds.history.picker}
      />
    </Field>
  );
}
