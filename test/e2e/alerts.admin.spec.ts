import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@grafana/plugin-e2e';
import { parse as parseYaml } from 'yaml';
import { skipUnlessGrafanaIsUp } from './grafana';

test.beforeAll(skipUnlessGrafanaIsUp);

// The generated alerting file Grafana provisioned (provisioning/alerting), rule by rule.
const FILE_NAME = 'matviewops.yaml';
const file = parseYaml(readFileSync(path.resolve(__dirname, '../../provisioning/alerting', FILE_NAME), 'utf8'));
const RULES: Array<{ groupName: string; ruleTitle: string }> = file.groups.flatMap(
  (g: { name: string; rules: Array<{ title: string }> }) =>
    g.rules.map((r) => ({ groupName: g.name, ruleTitle: r.title }))
);

for (const { groupName, ruleTitle } of RULES) {
  test(`the provisioned alert rule "${ruleTitle}" evaluates against the database`, async ({
    readProvisionedAlertRule,
    gotoAlertRuleEditPage,
  }) => {
    const rule = await readProvisionedAlertRule({ fileName: FILE_NAME, groupName, ruleTitle });
    const editPage = await gotoAlertRuleEditPage({ uid: rule.uid });
    // Runs the rule's query and expressions through Grafana's evaluation endpoint: 200 when every query ran.
    await expect(editPage.evaluate()).toBeOK();
  });
}
