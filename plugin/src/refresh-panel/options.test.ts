import { PanelOptionsEditorBuilder, standardEditorsRegistry } from '@grafana/data';
import { plugin } from './module';
import { defaultRefreshPanelOptions, refreshRequestOf, type RefreshPanelOptions } from './options';

describe('refresh panel options', () => {
  it('turn into the request POST /api/refresh takes', () => {
    expect(refreshRequestOf({ target: 'pack', pack: 'sales', cascade: true })).toEqual({
      pack: 'sales',
      cascade: true,
    });
    expect(refreshRequestOf({ target: 'views', views: ['pos.mv_a'], cascade: false })).toEqual({
      views: ['pos.mv_a'],
      cascade: false,
    });
  });

  it('name nothing to refresh until a pack or a view is chosen', () => {
    expect(refreshRequestOf(defaultRefreshPanelOptions)).toBeUndefined();
    expect(refreshRequestOf({ target: 'views', views: [] })).toBeUndefined();
  });

  it('are all offered in the panel editor, each with the exported default', () => {
    // Grafana fills this registry with its own editors at start; outside Grafana only their ids matter.
    standardEditorsRegistry.setInit(() =>
      ['radio', 'boolean', 'text'].map((id) => ({ id, name: id, editor: () => null }))
    );
    const builder = new PanelOptionsEditorBuilder<RefreshPanelOptions>();
    plugin.getPanelOptionsSupplier()(builder, { data: [] });
    const defaults = Object.fromEntries(builder.getItems().map((item) => [item.path, item.defaultValue]));
    expect(defaults).toEqual(defaultRefreshPanelOptions);
  });
});
