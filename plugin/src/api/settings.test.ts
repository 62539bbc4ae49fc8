import { of, throwError } from 'rxjs';
import {
  fromAnswer,
  loadSettings,
  normaliseServiceUrl,
  saveSettings,
  serviceUrlProblem,
  settingsBody,
} from './settings';

const mockFetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const SETTINGS = '/api/plugins/matviewops-app/settings';

beforeEach(() => mockFetch.mockReset());

describe('settingsBody', () => {
  const base = { enabled: true, pinned: false, jsonData: { serviceUrl: 'http://svc:8787' } };

  it('sends enabled, pinned and jsonData as given, and no secret when none changes', () => {
    expect(settingsBody(base)).toEqual({ ...base, secureJsonData: {} });
  });

  it('sends a secret being set, and leaves the other out so Grafana keeps it', () => {
    expect(settingsBody({ ...base, secureJsonData: { adminSecret: 'a'.repeat(16) } }).secureJsonData).toEqual({
      adminSecret: 'a'.repeat(16),
    });
  });

  it('clears a reset secret with an empty string (Grafana reports it unset then)', () => {
    expect(settingsBody({ ...base, reset: ['readSecret'] }).secureJsonData).toEqual({ readSecret: '' });
  });

  it('sets rather than clears a secret both reset and retyped', () => {
    const body = settingsBody({ ...base, secureJsonData: { readSecret: 'new-read-secret!' }, reset: ['readSecret'] });
    expect(body.secureJsonData).toEqual({ readSecret: 'new-read-secret!' });
  });
});

describe('saveSettings', () => {
  it('POSTs the body to Grafana’s settings API without Grafana’s toasts', async () => {
    mockFetch.mockReturnValue(of({ data: { message: 'Plugin settings updated' }, status: 200 }));
    await saveSettings({ enabled: true, pinned: true, jsonData: { serviceUrl: 'http://svc' }, reset: ['adminSecret'] });
    expect(mockFetch).toHaveBeenCalledTimes(1);
    expect(mockFetch.mock.calls[0][0]).toEqual({
      url: SETTINGS,
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: { serviceUrl: 'http://svc' },
        secureJsonData: { adminSecret: '' },
      },
      showErrorAlert: false,
      showSuccessAlert: false,
      retry: 1,
    });
  });

  it('throws Grafana’s refusal as an ApiError', async () => {
    mockFetch.mockReturnValue(
      throwError(() => ({ status: 500, data: { message: 'Failed to update plugin setting' } }))
    );
    await expect(saveSettings({ enabled: true, pinned: true, jsonData: {} })).rejects.toMatchObject({
      code: 'http_error',
      status: 500,
      message: 'Unexpected answer 500: Failed to update plugin setting.',
    });
  });
});

describe('loadSettings', () => {
  it('reads what the page uses from GET settings, secrets only as set or not', async () => {
    mockFetch.mockReturnValue(
      of({
        data: {
          id: 'matviewops-app',
          enabled: true,
          pinned: true,
          jsonData: { serviceUrl: 'http://svc:8787' },
          secureJsonFields: { readSecret: true },
        },
        status: 200,
      })
    );
    await expect(loadSettings()).resolves.toEqual({
      enabled: true,
      pinned: true,
      jsonData: { serviceUrl: 'http://svc:8787' },
      secureJsonFields: { readSecret: true, adminSecret: false },
    });
    expect(mockFetch.mock.calls[0][0]).toMatchObject({ url: SETTINGS, method: 'GET' });
  });

  it('treats a never-saved app (no jsonData, no secureJsonFields) as empty', () => {
    expect(fromAnswer({ enabled: false })).toEqual({
      enabled: false,
      pinned: false,
      jsonData: {},
      secureJsonFields: { readSecret: false, adminSecret: false },
    });
  });
});

describe('service URL', () => {
  it.each(['http://matview-ops:8787', 'https://svc.example.com/base/', '  http://10.0.0.5:8787  '])(
    'accepts %j',
    (url) => expect(serviceUrlProblem(url)).toBeUndefined()
  );

  it.each([
    ['', 'Enter an absolute URL'],
    ['matview-ops:8787', 'must start with http:// or https://'],
    ['ftp://svc', 'must start with http:// or https://'],
    ['svc.local', 'Enter an absolute URL'],
    ['http://svc/?x=1', 'must not contain a query'],
    ['http://user:pw@svc', 'credentials'],
  ])('refuses %j', (url, message) => expect(serviceUrlProblem(url)).toContain(message));

  it('is trimmed and loses trailing slashes', () => {
    expect(normaliseServiceUrl('  http://svc:8787/base///  ')).toBe('http://svc:8787/base');
  });
});
