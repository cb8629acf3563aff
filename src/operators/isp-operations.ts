// The ISP registrar's operations. ISP onboarding states (submitted → approved → active →
// suspended) belong to the ISP service (src/services/clients.ts); until it has them, approving
// or reactivating enables the client and suspending disables it, revoking every token it holds
// (as `cyberid client disable` does).
import type { OperatorServices } from './catalogue.js';
import { operation } from './operations.js';

type Dependencies = Pick<OperatorServices, 'clients' | 'revocations' | 'audit'>;

export function createIspOperations({ clients, revocations, audit }: Dependencies) {
  async function enable(clientId: string, status: 'approved' | 'reactivated') {
    await clients.setDisabled(clientId, false);
    await audit.record({ type: 'client.updated', clientId, actor: 'operator', details: { status } });
  }
  return {
    'isps.list': operation('isp_registrar', false, () => clients.listClients()),
    'isps.approve': operation('isp_registrar', false, (input: { clientId: string }) => enable(input.clientId, 'approved')),
    'isps.reactivate': operation('isp_registrar', false, (input: { clientId: string }) => enable(input.clientId, 'reactivated')),
    'isps.suspend': operation('isp_registrar', false, async (input: { clientId: string }) => {
      await clients.setDisabled(input.clientId, true);
      const revoked = await revocations.revokeEveryGrantOfClient(input.clientId);
      await audit.record({ type: 'client.disabled', clientId: input.clientId, actor: 'operator', details: { status: 'suspended', count: revoked } });
      return { revoked };
    }),
  };
}
