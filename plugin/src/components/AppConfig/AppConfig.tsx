import React, { useState, type SyntheticEvent } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack } from '@grafana/ui';
import { toApiError } from '../../api/errors';
import {
  fromAnswer,
  loadSettings,
  saveSettings,
  serviceUrlProblem,
  type AppJsonData,
  type SecretName,
  type StoredSettings,
} from '../../api/settings';
import { testIds } from '../../testIds';
import { afterSave, hasUnsavedChanges, initialForm, isConfigured, toSave, type FormState } from './form';
import { TestConnection } from './TestConnection';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppJsonData>>;

type SaveStatus = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string };

const SECRET_FIELDS: Array<{ name: SecretName; label: string; description: string; testId: string }> = [
  {
    name: 'readSecret',
    label: 'Read secret',
    description: 'The service’s READ_SECRET. Sent by the Viewer routes (status, history).',
    testId: testIds.appConfig.readSecret,
  },
  {
    name: 'adminSecret',
    label: 'Admin secret',
    description: 'The service’s ADMIN_SECRET. Sent only by the Admin routes (refresh).',
    testId: testIds.appConfig.adminSecret,
  },
];

/** The app's configuration page: service URL, the two secrets, Save, Test connection. */
export function AppConfig({ plugin }: AppConfigProps) {
  // Grafana's config page passes the meta from GET /api/plugins/<id>/settings; it is re-read after a save.
  const [stored, setStored] = useState<StoredSettings>(() => fromAnswer(plugin.meta));
  const [form, setForm] = useState<FormState>(() => initialForm(stored));
  const [urlProblem, setUrlProblem] = useState<string>();
  const [status, setStatus] = useState<SaveStatus>({ kind: 'idle' });

  const edit = (change: (f: FormState) => FormState) => {
    setForm(change);
    setStatus((s) => (s.kind === 'saved' ? { kind: 'idle' } : s));
  };
  // Values are read from the event at once: the updater runs later, when currentTarget is gone.
  const setServiceUrl = (serviceUrl: string) => edit((f) => ({ ...f, serviceUrl }));
  const setSecret = (name: SecretName, value: string) =>
    edit((f) => ({ ...f, secrets: { ...f.secrets, [name]: value } }));
  const resetSecret = (name: SecretName) =>
    edit((f) => ({ ...f, secrets: { ...f.secrets, [name]: '' }, reset: { ...f.reset, [name]: true } }));

  const onSave = async (event: SyntheticEvent) => {
    event.preventDefault();
    const problem = serviceUrlProblem(form.serviceUrl);
    setUrlProblem(problem);
    if (problem) {
      return;
    }
    const request = toSave(stored, form);
    setStatus({ kind: 'saving' });
    try {
      await saveSettings(request);
    } catch (err) {
      setStatus({ kind: 'failed', message: toApiError(err).message });
      return;
    }
    // Saved: show what Grafana now holds (its secureJsonFields), or what it must hold if it cannot be read.
    const now = await loadSettings().catch(() => afterSave(stored, request));
    setStored(now);
    setForm(initialForm(now));
    setStatus({ kind: 'saved' });
  };

  const unsaved = hasUnsavedChanges(stored, form);
  const blockedBy = unsaved
    ? 'You have unsaved changes. Test connection goes through Grafana’s proxy, which uses the saved settings: save first.'
    : !stored.jsonData.serviceUrl
      ? 'No service URL is saved yet: save one first.'
      : undefined;

  return (
    <form onSubmit={onSave} data-testid={testIds.appConfig.container}>
      {!stored.enabled && (
        <Alert severity="info" title="The app is not enabled">
          Enable it for this organisation: its pages and proxy routes (and so Test connection) work only when it is
          enabled.
        </Alert>
      )}
      {/* Disabled while saving: the form is reset to what Grafana holds once the save is done. */}
      <FieldSet label="Refresh service" disabled={status.kind === 'saving'}>
        <Field
          label="Service URL"
          description="Where Grafana's server reaches the refresh service (not your browser), e.g. http://matview-ops:8787."
          invalid={Boolean(urlProblem)}
          error={urlProblem && <span data-testid={testIds.appConfig.urlError}>{urlProblem}</span>}
        >
          <Input
            id="matviewops-service-url"
            width={60}
            value={form.serviceUrl}
            placeholder="http://matview-ops:8787"
            onChange={(e) => setServiceUrl(e.currentTarget.value)}
            data-testid={testIds.appConfig.serviceUrl}
          />
        </Field>
        {SECRET_FIELDS.map(({ name, label, description, testId }) => (
          <Field key={name} label={label} description={description} data-testid={testIds.appConfig.secretField(name)}>
            <SecretInput
              id={`matviewops-${name}`}
              width={60}
              autoComplete="off"
              value={form.secrets[name]}
              isConfigured={isConfigured(stored, form, name)}
              placeholder={form.reset[name] ? 'Cleared when saved, unless you enter a new one' : 'Not set'}
              onChange={(e) => setSecret(name, e.currentTarget.value)}
              onReset={() => resetSecret(name)}
              data-testid={testId}
            />
          </Field>
        ))}
      </FieldSet>
      <Stack direction="column" gap={2}>
        {status.kind === 'failed' && (
          <Alert severity="error" title="Settings not saved" data-testid={testIds.appConfig.saveError}>
            {status.message}
          </Alert>
        )}
        {status.kind === 'saved' && <Alert severity="success" title="Saved" data-testid={testIds.appConfig.saved} />}
        <div>
          <Button
            type="submit"
            disabled={status.kind === 'saving'}
            icon={status.kind === 'saving' ? 'spinner' : undefined}
            data-testid={testIds.appConfig.save}
          >
            {status.kind === 'saving' ? 'Saving…' : 'Save'}
          </Button>
        </div>
        <TestConnection blockedBy={blockedBy} />
      </Stack>
    </form>
  );
}

export default AppConfig;
