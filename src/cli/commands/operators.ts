// cyberid operator bootstrap — the first operator, once ever (src/operators/accounts.ts);
// cyberid operator break-glass — a new operator_admin when none is left active.
// Later operators are created in the console by an operator_admin. The enrolment code is
// printed once, here, to the shell user who bootstraps; the audit entry names that shell
// user and host (cli/invoker.ts), since no operator is signed in yet.
import { json, requireString, type Command } from '../command.js';
import type { Enrolment } from '../../operators/accounts.js';

const enrolmentText = (enrolment: Enrolment, enrolUrl: string, then: string) => [
  `operator ${enrolment.operator.handle} created with roles ${enrolment.operator.roles.join(', ')}`,
  `one-time enrolment code (shown once, valid until ${enrolment.expires_at}):`,
  `  ${enrolment.enrolment_code}`,
  `open ${enrolUrl}, enter the handle and this code, choose a password and add the authenticator;`,
  then,
  '',
].join('\n');

export const operatorCommands: Command[] = [
  {
    name: 'operator bootstrap',
    summary: 'create the first operator (every role) and print their one-time enrolment code; works once',
    usage: 'operator bootstrap --handle HANDLE [--json]',
    options: { handle: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const enrolment = await container.operators.accounts.bootstrap({ handle: requireString(values, 'handle') });
      const enrolUrl = `${container.config.issuer}/admin/enrol`;
      const result = { ...enrolment, enrol_url: enrolUrl };
      if (values.json) return { output: json(result) };
      return { output: enrolmentText(enrolment, enrolUrl, 'then create the other operators in the console, each with only the roles they need.') };
    },
  },
  {
    name: 'operator break-glass',
    summary: 'when no operator_admin is left active (all lost their authenticator, or left): a new operator_admin and its enrolment code',
    usage: 'operator break-glass --handle HANDLE [--json]',
    options: { handle: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const enrolment = await container.operators.accounts.breakGlass({ handle: requireString(values, 'handle') });
      const enrolUrl = `${container.config.issuer}/admin/enrol`;
      if (values.json) return { output: json({ ...enrolment, enrol_url: enrolUrl }) };
      return { output: enrolmentText(enrolment, enrolUrl, 'then issue new enrolment codes in the console to the operators who need them.') };
    },
  },
];
