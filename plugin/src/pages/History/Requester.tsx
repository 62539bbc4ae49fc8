// Who asked for an attempt. A name the service could not verify is marked as such, never shown as fact.
import React from 'react';
import { Badge, Stack } from '@grafana/ui';
import { NONE } from '../../format/numbers';
import { parseRequester } from '../../format/requester';

const UNVERIFIED_HINT =
  'The refresh service had no signed Grafana identity for this request; the name comes from a header it could not verify.';

export function Requester({
  requestedBy,
  'data-testid': testId,
}: {
  requestedBy: string | null;
  'data-testid'?: string;
}) {
  const who = parseRequester(requestedBy);
  return (
    <span data-testid={testId}>
      {who === null ? (
        // Scheduled attempts have nobody behind them.
        NONE
      ) : (
        <Stack direction="row" gap={0.5} alignItems="center" wrap="wrap">
          <span>{who.name}</span>
          {!who.verified && (
            <Badge color="orange" icon="exclamation-triangle" text="unverified" tooltip={UNVERIFIED_HINT} />
          )}
        </Stack>
      )}
    </span>
  );
}
