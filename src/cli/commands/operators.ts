// cyberid operator bootstrap — the first operator, once ever (src/operators/accounts.ts).
// Later operators are created in the console by an operator_admin. The enrolment code is
// printed once, here, to the shell user who bootstraps; the audit entry names that shell
// user and host (cli/invoker.ts), since no operator is signed in yet.
import { json, requireString, type Command } from '../command.js';

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
      return {
        output: [
          `operator ${enrolment.operator.handle} created with roles ${enrolment.operator.roles.join(', ')}`,
          `one-time enrolment code (shown once, valid until ${enrolment.expires_at}):`,
          `  ${enrolment.enrolment_code}`,
          `open ${enrolUrl}, enter the handle and this code, choose a password and add the authenticator;`,
          'then create the other operators in the console, each with only the roles they need.',
          '',
        ].join('\n'),
      };
    },
  },
];
