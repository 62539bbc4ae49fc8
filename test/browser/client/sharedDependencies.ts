// The modules Grafana shares with plugins (public/app/features/plugins/loader/sharedDependencies.ts),
// here taken from the same npm packages the plugin builds against. Each is set in SystemJS under
// `package:<name>` and mapped from the bare name an AMD bundle's define() lists, as Grafana's
// buildImportMap does. Only the externals of plugin/.config/bundler/externals.ts that this app's
// bundles require are provided; a bundle requiring another fails to load, loudly.
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as react from 'react';
import * as reactJsxRuntime from 'react/jsx-runtime';
import * as reactDom from 'react-dom';
// Grafana maps "react-router" to react-router-dom-v5-compat, which re-exports react-router v6; the
// plugin bundles react-router-dom 6 and needs this one instance of react-router to share its context.
import * as reactRouter from 'react-router';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import { SystemJS } from './systemjs';

const SHARED_DEPENDENCY_PREFIX = 'package';

export const sharedDependencies: Record<string, object> = {
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  react,
  'react/jsx-runtime': reactJsxRuntime,
  'react-dom': reactDom,
  'react-router': reactRouter,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

export function registerSharedDependencies(): void {
  const imports: Record<string, string> = {};
  for (const [name, module] of Object.entries(sharedDependencies)) {
    const id = `${SHARED_DEPENDENCY_PREFIX}:${name}`;
    SystemJS.set(id, module);
    imports[name] = id;
  }
  SystemJS.addImportMap({ imports });
}
