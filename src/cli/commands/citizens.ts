// cyberid citizen suspend | resume — the operator's suspension of a cyberspace ID.
// The reason is shown to the citizen on their dashboard, so it must hold no personal data;
// a citizen cannot lift an operator's suspension (services/account-lifecycle.ts).
import { json, requireString, UsageError, type Command } from '../command.js';

function cyberspaceIdArgument(positionals: string[]): string {
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError('exactly one CYBERSPACE_ID is required');
  return positionals[0]!;
}

export const citizenCommands: Command[] = [
  {
    name: 'citizen suspend',
    summary: 'suspend a cyberspace ID (sign-in and token refresh refused); the reason is shown to the citizen',
    usage: 'citizen suspend CYBERSPACE_ID --reason "…" [--json]',
    options: { reason: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values, positionals) {
      const id = cyberspaceIdArgument(positionals);
      const reason = requireString(values, 'reason');
      if (!reason.trim()) throw new UsageError('--reason is required');
      const citizen = await container.lifecycle.suspendByOperator(id, reason);
      const result = { cyberspace_id: citizen.cyberspace_id, status: 'suspended' };
      return { output: values.json ? json(result) : `suspended ${result.cyberspace_id}\n` };
    },
  },
  {
    name: 'citizen resume',
    summary: 'lift the suspension of a cyberspace ID (a minor not yet approved by the guardian returns to waiting for them)',
    usage: 'citizen resume CYBERSPACE_ID [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values, positionals) {
      const citizen = await container.lifecycle.resumeByOperator(cyberspaceIdArgument(positionals));
      // A minor's account not yet approved by the guardian goes back to waiting for them.
      const status = (await container.citizenQueries.findCitizenById(citizen.id))?.status ?? 'active';
      const result = { cyberspace_id: citizen.cyberspace_id, status };
      const note = status === 'pending_guardian' ? ' (still waiting for the guardian’s approval)' : '';
      return { output: values.json ? json(result) : `resumed ${result.cyberspace_id}${note}\n` };
    },
  },
];
