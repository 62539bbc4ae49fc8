import type { StoredSettings } from '../../api/settings';
import { afterSave, hasUnsavedChanges, initialForm, isConfigured, toSave, type FormState } from './form';

const stored: StoredSettings = {
  enabled: true,
  pinned: false,
  jsonData: { serviceUrl: 'http://svc:8787' },
  secureJsonFields: { readSecret: true, adminSecret: false },
};
const form = (change: Partial<FormState> = {}): FormState => ({ ...initialForm(stored), ...change });

describe('the config form', () => {
  it('starts from the stored URL with no secret typed', () => {
    expect(initialForm(stored)).toEqual({
      serviceUrl: 'http://svc:8787',
      secrets: { readSecret: '', adminSecret: '' },
      reset: { readSecret: false, adminSecret: false },
    });
    expect(hasUnsavedChanges(stored, form())).toBe(false);
  });

  it('does not count a URL that saves to the stored one as a change', () => {
    expect(hasUnsavedChanges(stored, form({ serviceUrl: ' http://svc:8787/ ' }))).toBe(false);
    expect(hasUnsavedChanges(stored, form({ serviceUrl: 'http://svc:8788' }))).toBe(true);
  });

  it('counts a typed secret, and a reset of a stored one, but not blanks or a reset of an unset one', () => {
    expect(hasUnsavedChanges(stored, form({ secrets: { readSecret: '  ', adminSecret: '' } }))).toBe(false);
    expect(hasUnsavedChanges(stored, form({ secrets: { readSecret: '', adminSecret: 'x' } }))).toBe(true);
    expect(hasUnsavedChanges(stored, form({ reset: { readSecret: true, adminSecret: false } }))).toBe(true);
    expect(hasUnsavedChanges(stored, form({ reset: { readSecret: false, adminSecret: true } }))).toBe(false);
  });

  it('shows a stored secret as configured until it is reset', () => {
    expect(isConfigured(stored, form(), 'readSecret')).toBe(true);
    expect(isConfigured(stored, form({ reset: { readSecret: true, adminSecret: false } }), 'readSecret')).toBe(false);
    expect(isConfigured(stored, form(), 'adminSecret')).toBe(false);
  });

  it('saves trimmed values, keeps enabled and pinned, and clears only reset secrets not retyped', () => {
    const f = form({
      serviceUrl: ' http://new:8787// ',
      secrets: { readSecret: '', adminSecret: ' admin-secret-value\n' },
      reset: { readSecret: true, adminSecret: true },
    });
    expect(toSave(stored, f)).toEqual({
      enabled: true,
      pinned: false,
      jsonData: { serviceUrl: 'http://new:8787' },
      secureJsonData: { adminSecret: 'admin-secret-value' },
      reset: ['readSecret'],
    });
  });

  it('works out what Grafana stores after a save it could not read back', () => {
    const saved = toSave(
      stored,
      form({ secrets: { readSecret: '', adminSecret: 'a' }, reset: { readSecret: true, adminSecret: false } })
    );
    expect(afterSave(stored, saved).secureJsonFields).toEqual({ readSecret: false, adminSecret: true });
  });
});
