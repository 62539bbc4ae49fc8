import { PanelPlugin } from '@grafana/data';
import { defaultRefreshPanelOptions as d, type RefreshPanelOptions } from './options';
import { RefreshPanel } from './RefreshPanel';
import { PackPicker, ViewsPicker } from './pickers';

export const plugin = new PanelPlugin<RefreshPanelOptions>(RefreshPanel).setNoPadding().setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'target',
      name: 'Refresh',
      defaultValue: d.target,
      settings: {
        options: [
          { value: 'pack', label: 'A pack' },
          { value: 'views', label: 'Chosen views' },
        ],
      },
    })
    .addCustomEditor({
      id: 'pack',
      path: 'pack',
      name: 'Pack',
      description: 'Every managed view of this pack.',
      defaultValue: d.pack,
      editor: PackPicker,
      showIf: (o) => o.target === 'pack',
    })
    .addCustomEditor({
      id: 'views',
      path: 'views',
      name: 'Views',
      description: 'Picked from the managed views the refresh service lists.',
      defaultValue: d.views,
      editor: ViewsPicker,
      showIf: (o) => o.target === 'views',
    })
    .addBooleanSwitch({
      path: 'cascade',
      name: 'Cascade',
      description: 'Also refresh the managed views built on these.',
      defaultValue: d.cascade,
    })
    .addTextInput({ path: 'buttonText', name: 'Button text', defaultValue: d.buttonText })
    .addTextInput({
      path: 'confirmText',
      name: 'Confirmation text',
      description: 'Empty: says what will be refreshed.',
      defaultValue: d.confirmText,
    })
    .addBooleanSwitch({
      path: 'refreshDashboard',
      name: 'Refresh the dashboard when done',
      description: "Re-runs the dashboard's queries once a refresh has updated data.",
      defaultValue: d.refreshDashboard,
    })
);
