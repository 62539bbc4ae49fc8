// Options every call of the app's API client passes to Grafana's backendSrv.
export const QUIET = {
  // The pages, panel and config page show their own inline errors; no global toast on top.
  showErrorAlert: false,
  showSuccessAlert: false,
  // Grafana's backendSrv takes a 401 from a local URL on a first attempt (retry 0) for an expired
  // session: it rotates the session token and sends the request again (public/app/core/services/
  // backend_srv.ts, handleStreamError). A 401 here is the service refusing the app's secret, and a
  // repeated POST must not be sent behind the person's back: mark every call as already retried.
  retry: 1,
} as const;
