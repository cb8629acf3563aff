// The ISP registrar's operations: the onboarding decisions of services/client-onboarding.ts
// (submitted → approved → active → suspended → active), each with its reason, taken by the
// signed-in operator.
import { NotFoundError } from '../errors.js';
import { decisionsFrom, type ClientOnboarding, type OnboardingDecision } from '../services/client-onboarding.js';
import type { OperatorServices } from './catalogue.js';
import { operation } from './operations.js';

type Dependencies = Pick<OperatorServices, 'clients'> & { clientOnboarding: ClientOnboarding };

export function createIspOperations({ clients, clientOnboarding }: Dependencies) {
  const decision = (name: OnboardingDecision) => operation('isp_registrar', false, (input: { clientId: string; reason: string }, operator) =>
    clientOnboarding.decide(name, input.clientId, { reason: input.reason, by: { actor: 'operator', operatorId: operator.id } }));
  return {
    'isps.list': operation('isp_registrar', false, () => clients.listClients()),
    'isps.history': operation('isp_registrar', false, (input: { clientId: string }) => clientOnboarding.history(input.clientId)),
    /** One ISP: its registration, the decisions possible now and the decisions taken, newest last. */
    'isps.show': operation('isp_registrar', false, async (input: { clientId: string }) => {
      const client = await clients.findClient(input.clientId);
      if (!client) throw new NotFoundError(`no client ${input.clientId}`);
      return { ...client, possible_decisions: decisionsFrom(client.status), decisions: await clientOnboarding.history(input.clientId) };
    }),
    'isps.approve': decision('approve'),
    'isps.activate': decision('activate'),
    'isps.suspend': decision('suspend'),
    'isps.reactivate': decision('reactivate'),
  };
}
