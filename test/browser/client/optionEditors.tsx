// The standard option editors a panel's options builder looks up by id (Grafana registers all of
// them at start, public/app/core/components/OptionsUI/registry.tsx). PanelPlugin.defaults runs the
// plugin's builder, which fails on an id nobody registered, so the host registers the common ones,
// each with the @grafana/ui control Grafana uses for it. The host has no panel editor, so these only
// render if a future host page shows panel options.
import React from 'react';
import {
  standardEditorsRegistry,
  type SelectableValue,
  type StandardEditorProps,
  type StandardEditorsRegistryItem,
} from '@grafana/data';
import { Input, MultiSelect, RadioButtonGroup, Select, Switch } from '@grafana/ui';

type Options = { options?: Array<SelectableValue<unknown>> };

const editors: StandardEditorsRegistryItem[] = [
  {
    id: 'text',
    name: 'Text',
    editor: ({ value, onChange }: StandardEditorProps<string>) => (
      <Input value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value)} />
    ),
  },
  {
    id: 'number',
    name: 'Number',
    editor: ({ value, onChange }: StandardEditorProps<number>) => (
      <Input
        type="number"
        value={value ?? ''}
        onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))}
      />
    ),
  },
  {
    id: 'boolean',
    name: 'Boolean',
    editor: ({ value, onChange }: StandardEditorProps<boolean>) => (
      <Switch value={Boolean(value)} onChange={(e) => onChange(e.currentTarget.checked)} />
    ),
  },
  {
    id: 'radio',
    name: 'Radio',
    editor: ({ value, onChange, item }: StandardEditorProps<unknown, Options>) => (
      <RadioButtonGroup value={value} options={item.settings?.options ?? []} onChange={onChange} />
    ),
  },
  {
    id: 'select',
    name: 'Select',
    editor: ({ value, onChange, item }: StandardEditorProps<unknown, Options>) => (
      <Select value={value} options={item.settings?.options ?? []} onChange={(v) => onChange(v.value)} />
    ),
  },
  {
    id: 'multi-select',
    name: 'Multi select',
    editor: ({ value, onChange, item }: StandardEditorProps<unknown[], Options>) => (
      <MultiSelect
        value={value}
        options={item.settings?.options ?? []}
        onChange={(v) => onChange(v.map((o) => o.value))}
      />
    ),
  },
];

export function registerOptionEditors(): void {
  standardEditorsRegistry.setInit(() => editors);
}
