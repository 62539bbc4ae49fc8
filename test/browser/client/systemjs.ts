// SystemJS with the AMD extra (plugin bundles are AMD modules) and named-register, as Grafana's
// loader sets it up (public/app/features/plugins/loader/systemjs.ts).
import 'systemjs/dist/system.js';
import 'systemjs/dist/extras/amd.js';
import 'systemjs/dist/extras/named-register.js';

export interface SystemJSLike {
  import(id: string): Promise<Record<string, unknown>>;
  set(id: string, module: object): void;
  addImportMap(map: { imports: Record<string, string> }): void;
}

export const SystemJS = (window as unknown as { System: SystemJSLike }).System;
