// Initial schema: citizens, ISP clients, durable oidc-provider models, signing keys.
// Personal identity data is not part of this migration: it arrives encrypted, field by field,
// with the application flow.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('citizens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // Canonical 24-symbol cyberspace ID (random, never derived from a document).
    t.string('cyberspace_id', 24).notNullable().unique();
    t.text('password_hash').notNullable();
    t.string('status', 24).notNullable().defaultTo('active');
    t.string('assurance_level', 24).notNullable();
    t.timestamp('password_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE citizens ADD CONSTRAINT citizens_status_check
    CHECK (status IN ('active', 'pending_guardian', 'suspended', 'cancelled'))`);

  await knex.schema.createTable('clients', (t) => {
    t.string('client_id', 64).primary();
    t.text('name').notNullable();
    // oidc-provider client metadata without the secret.
    t.jsonb('metadata').notNullable();
    // Envelope-encrypted client_secret (oidc-provider needs the value itself to verify it).
    t.text('secret_ciphertext');
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Durable oidc-provider models (Grant, RegistrationAccessToken, InitialAccessToken): one
  // generic table, indexed the way the adapter looks things up.
  await knex.schema.createTable('oidc_payloads', (t) => {
    t.string('model', 48).notNullable();
    t.string('id', 128).notNullable();
    t.jsonb('payload').notNullable();
    t.string('grant_id', 128);
    t.string('uid', 128);
    t.string('account_id', 64);
    t.string('client_id', 64);
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['uid']);
    t.index(['account_id', 'model']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('signing_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 16).notNullable();
    t.jsonb('public_jwk').notNullable();
    // Private JWK sealed with the key-encryption key (envelope, AES-256-GCM).
    t.text('private_jwk_ciphertext').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Published in JWKS at once, used for signing from this moment: every instance has
    // reloaded its key set by then, so no RP sees a token signed by a key it cannot fetch.
    // A key stops signing when a newer key of its algorithm activates, and leaves JWKS once
    // every token it signed has expired (see services/signing-keys.ts).
    t.timestamp('activates_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('signing_keys');
  await knex.schema.dropTable('oidc_payloads');
  await knex.schema.dropTable('clients');
  await knex.schema.dropTable('citizens');
}
