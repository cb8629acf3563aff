// Development only: a demo ISP and a demo citizen so `npm start` has something to log in to,
// and, on the first start, the documented sandbox identities (docs/sandbox.md), so they can
// apply without a separate `cyberid sandbox seed`. Later starts leave the sandbox as the
// developer changed it. Credentials are kept in DATA_DIR/demo.json (test data, never real people).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Container } from '../container.js';
import { SANDBOX_SEED_GUARDIANSHIPS, SANDBOX_SEED_IDENTITIES } from '../identity-authority/sandbox-seed.js';

export type DemoSetup = {
  client_id: string;
  client_secret: string;
  cyberspace_id: string;
  password: string;
};

export const DEMO_CALLBACK_PATH = '/demo-isp/callback';

export async function seedDemo(container: Container): Promise<DemoSetup> {
  const file = path.join(container.config.dataDir, 'demo.json');
  let saved: DemoSetup | undefined;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as DemoSetup;
  } catch {
    saved = undefined;
  }
  const clientExists = saved && (await container.clients.findClient(saved.client_id));
  const citizenExists = saved && (await container.citizens.findActiveCitizen(saved.cyberspace_id));
  if (saved && clientExists && citizenExists) return saved;
  if (!saved) await container.sandboxIdentities.seed(SANDBOX_SEED_IDENTITIES, SANDBOX_SEED_GUARDIANSHIPS);

  const client = await container.clients.addClient({
    name: 'Demo ISP',
    nameZh: '演示服务',
    redirectUris: [`${container.config.issuer}${DEMO_CALLBACK_PATH}`],
    postLogoutRedirectUris: [`${container.config.issuer}/demo-isp`],
    scope: 'openid offline_access',
  });
  // The demo ISP is for trying a login at once: it goes through review like any ISP, decided by
  // the system, so the audit log and the ISP's history say how it came into service.
  const by = { actor: 'system' as const };
  await container.clientOnboarding.approve(client.client_id, { reason: 'development demo ISP, seeded by npm start', by });
  await container.clientOnboarding.activate(client.client_id, { reason: 'development demo ISP, seeded by npm start', by });
  // A birth date, so scope `age` yields age_over_* claims for the demo citizen.
  const citizen = await container.citizens.createTestCitizen({ birthDate: '1990-05-17' });
  const setup = { client_id: client.client_id, client_secret: client.client_secret!, cyberspace_id: citizen.cyberspace_id, password: citizen.password };
  writeFileSync(file, JSON.stringify(setup, null, 2), { mode: 0o600 });
  return setup;
}
