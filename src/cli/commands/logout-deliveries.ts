// cyberid logout-deliveries list: the back-channel logouts still owed to ISPs (pending, with
// their next attempt) and those given up (failed, with the last reason), from the durable
// outbox (services/logout-deliveries.ts). Delivered ones are not kept.
import { json, UsageError, type Command } from '../command.js';
import type { LogoutDeliveryStatus } from '../../queries/logout-outbox.js';

function status(value: unknown): LogoutDeliveryStatus | undefined {
  if (value === undefined) return undefined;
  if (value === 'pending' || value === 'failed') return value;
  throw new UsageError('--status must be pending or failed');
}

export const logoutDeliveryCommands: Command[] = [
  {
    name: 'logout-deliveries list',
    summary: 'back-channel logouts pending or failed, with attempts and the last reason',
    usage: 'logout-deliveries list [--status pending|failed] [--client CLIENT_ID] [--json]',
    options: { status: { type: 'string' }, client: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const deliveries = await container.logoutDeliveries.list({ status: status(values.status), clientId: typeof values.client === 'string' ? values.client : undefined });
      if (values.json) return { output: json(deliveries) };
      if (!deliveries.length) return { output: 'no pending or failed back-channel logout deliveries\n' };
      return {
        output: deliveries.map((d) => `${d.id}  ${d.status.padEnd(7)}  ${d.client_id}  attempts ${d.attempts}  ${d.status === 'pending' ? `next ${d.next_attempt_at}` : `failed ${d.finished_at}`}  ${d.last_error ?? ''}\n`).join(''),
      };
    },
  },
];
