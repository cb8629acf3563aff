// Builders for test data through the real services (no SQL in tests).
import { createHash, randomBytes } from 'node:crypto';
import type { Container } from '../../src/container.js';
import type { ClientInput } from '../../src/services/clients.js';

export async function createClient(container: Container, input: Partial<ClientInput> = {}) {
  const redirectUris = input.redirectUris ?? ['https://isp.example/callback'];
  const created = await container.clients.addClient({ name: 'Test ISP', redirectUris, postLogoutRedirectUris: ['https://isp.example/logged-out'], ...input });
  await putInService(container, created.client_id);
  return { ...created, redirect_uri: redirectUris[0]! };
}

/** A registered ISP reviewed and activated, so it signs citizens in (client-onboarding.ts). */
export async function putInService(container: Container, clientId: string) {
  const by = { actor: 'operator' as const };
  await container.clientOnboarding.approve(clientId, { reason: 'test: reviewed', by });
  await container.clientOnboarding.activate(clientId, { reason: 'test: in service', by });
}

export async function createCitizen(container: Container) {
  const { cyberspace_id, password } = await container.citizens.createTestCitizen();
  return { cyberspace_id, password };
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
