// Where the rules' notifications go. Grafana expands environment variables in contact point settings when it loads the
// file, so the address never sits in the repository. The rules route here with notification_settings, so the file
// provisions no notification policies: it cannot replace an installation's own policy tree.
import * as alerting from '@grafana/grafana-foundation-sdk/alerting';

export const CONTACT_POINT_NAME = 'matviewops on-call';

/** The variable Grafana's environment must set: a webhook URL (your paging service's, a chat incoming webhook...). */
export const WEBHOOK_URL_VARIABLE = 'MATVIEWOPS_ALERT_WEBHOOK_URL';

export function contactPoints(): alerting.ContactPoint[] {
  return [
    new alerting.ContactPointBuilder()
      .uid('matviewops-oncall-webhook')
      .name(CONTACT_POINT_NAME)
      .type('webhook')
      .settings({ url: `$${WEBHOOK_URL_VARIABLE}`, httpMethod: 'POST' })
      // On-call hears when an alert resolves too.
      .disableResolveMessage(false)
      .build(),
  ];
}
