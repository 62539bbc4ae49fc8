// Option editors that offer what the refresh service manages, so a dashboard cannot name a view
// that does not exist (a name no longer managed stays visible, marked, until removed).
import React from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { Alert, Combobox, MultiCombobox, type ComboboxOption } from '@grafana/ui';
import { packsOf, useManagedViews } from '../views/useManagedViews';

function withUnknown(known: string[], chosen: string[]): Array<ComboboxOption<string>> {
  const options = known.map((value) => ({ value, label: value }));
  for (const c of chosen) {
    if (!known.includes(c)) {
      options.push({ value: c, label: `${c} (not managed)` });
    }
  }
  return options;
}

export function PackPicker({ value, onChange }: StandardEditorProps<string>) {
  const { views, error, loading } = useManagedViews();
  const packs = packsOf(views ?? []);
  return (
    <>
      <Combobox<string>
        options={withUnknown(packs, value ? [value] : [])}
        value={value || null}
        loading={loading}
        placeholder="Choose a pack"
        onChange={(o) => onChange(o.value)}
      />
      {error && (
        <Alert severity="warning" title="Packs could not be listed">
          {error.message}
        </Alert>
      )}
    </>
  );
}

export function ViewsPicker({ value, onChange }: StandardEditorProps<string[]>) {
  const { views, error, loading } = useManagedViews();
  const chosen = value ?? [];
  return (
    <>
      <MultiCombobox<string>
        options={withUnknown(
          (views ?? []).map((v) => v.view),
          chosen
        )}
        value={chosen}
        loading={loading}
        placeholder="Choose views"
        onChange={(items) => onChange(items.map((i) => i.value))}
      />
      {error && (
        <Alert severity="warning" title="Views could not be listed">
          {error.message}
        </Alert>
      )}
    </>
  );
}
