// The process the outbox crash test kills: builds the real container from its environment
// (like `npm start`), and with OUTBOX_CHILD_MODE=enqueue first commits one event with its
// notice for a citizen who has a confirmed email address, then runs the outbox worker.
import { loadConfig } from '../../src/config/config.js';
import { buildContainer } from '../../src/container.js';

const config = loadConfig(process.env);
const container = await buildContainer(config, { schema: process.env.OUTBOX_CHILD_SCHEMA || undefined, logLevel: 'silent' });
const { notifications } = container;
if (process.env.OUTBOX_CHILD_MODE === 'enqueue') {
  const { citizen } = await container.citizens.createTestCitizen();
  await notifications.contactQueries.upsertContact({
    citizen_id: citizen.id, channel: 'email', locale: process.env.OUTBOX_CHILD_LOCALE ?? 'en',
    address_sealed: notifications.sealing.seal(citizen.id, 'email', 'holder@example.test'),
    address_index: notifications.sealing.blindIndex('email', 'holder@example.test'),
    code_hash: null, code_expires_at: null, confirmed_at: new Date(),
  });
  await container.db.knex.transaction(async (trx) => {
    await trx('citizens').where({ id: citizen.id }).update({ updated_at: trx.fn.now() });
    await notifications.notify(trx, citizen.id, 'password_changed', { at: '2026-12-02T08:30:00Z' }, { idempotencyKey: 'crash-test-notice' });
  });
  process.stdout.write('committed\n');
}
notifications.worker.start(100);
process.stdout.write('worker running\n');
