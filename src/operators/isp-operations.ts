// The ISP registrar's operations: the onboarding decisions of services/client-onboarding.ts
// (submitted → approved → active → suspended → active), each with its reason, taken by the
// signed-in operator.
import type { ClientOnboarding, OnboardingDecision } from '../services/client-onboarding.js';
import type { OperatorServices } from './catalogue.js';
import { operation } from './operations.js';

type Dependencies = Pick<OperatorServices, 'clients'> & { clientOnboarding: ClientOnboarding };

export function createIspOperations({ clients, clientOnboarding }: Dependencies) {
  const decision = (name: OnboardingDecision) => operation('isp_registrar', false, (input: { clientId: string; reason: string }, operator) =>
    clientOnboarding.decide(name, input.clientId, { reason: input.reason, by: { actor: 'operator', operatorId: operator.id } }));
  return {
    'isps.list': operation('isp_registrar', false, () => clients.listClients()),
    'isps.history': operation('isp_registrar', false, (input: { clientId: string }) => clientOnboarding.history(input.clientId)),
    'isps.approve': decision('approve'),
    'isps.activate': decision('activate'),
    'isps.suspend': decision('suspend'),
    'isps.reactivate': decision('reactivate'),
  };
}
