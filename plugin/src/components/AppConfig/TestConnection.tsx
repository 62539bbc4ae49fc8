import React, { useState } from 'react';
import { Alert, Button, Stack } from '@grafana/ui';
import { testIds } from '../../testIds';
import { diagnose, type Diagnosis } from './diagnose';
import { DiagnosisView } from './DiagnosisView';
import { probe } from './probe';

interface Props {
  /** Why a test now would not test what the form shows (unsaved changes, nothing saved yet). */
  blockedBy?: string;
}

/** Runs the checks through Grafana's proxy, which only ever uses the saved settings. */
export function TestConnection({ blockedBy }: Props) {
  const [running, setRunning] = useState(false);
  const [blocked, setBlocked] = useState<string>();
  const [diagnosis, setDiagnosis] = useState<Diagnosis>();

  const onTest = async () => {
    setDiagnosis(undefined);
    if (blockedBy) {
      setBlocked(blockedBy);
      return;
    }
    setBlocked(undefined);
    setRunning(true);
    try {
      setDiagnosis(diagnose(await probe()));
    } finally {
      setRunning(false);
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <div>
        <Button
          variant="secondary"
          icon={running ? 'spinner' : 'heart-rate'}
          disabled={running}
          onClick={onTest}
          data-testid={testIds.appConfig.testConnection}
        >
          {running ? 'Testing…' : 'Test connection'}
        </Button>
      </div>
      {blocked && (
        <Alert severity="warning" title="Save first" data-testid={testIds.appConfig.unsaved}>
          {blocked}
        </Alert>
      )}
      {diagnosis && <DiagnosisView diagnosis={diagnosis} />}
    </Stack>
  );
}
