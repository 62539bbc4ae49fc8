// What the host's top bar says, so no screenshot or preview is taken for Grafana itself.
export const BANNER_SPECS = 'Plugin test host: not Grafana';
export const BANNER_PREVIEW = 'Preview of the Matview Ops plugin pages: not Grafana';
