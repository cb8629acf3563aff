// The pairwise sector lost its port (src/services/pairwise-sector.ts). A client registered
// before, whose sector carried a port (redirect URIs on :8443, say), keeps that sector pinned
// in cyberid_pairwise_sector, so the IDs its citizens already have never change. Clients on
// default ports need nothing: URL.host never included a default port. Self-contained on
// purpose: a migration must keep doing what it did when it landed.
import type { Knex } from 'knex';

const hostOf = (metadata: Record<string, unknown>, part: 'host' | 'hostname') => {
  const uri = metadata.sector_identifier_uri ?? (Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris[0] : undefined);
  return typeof uri === 'string' && URL.canParse(uri) ? new URL(uri)[part] : '';
};

export async function up(knex: Knex): Promise<void> {
  const rows = (await knex('clients').select('client_id', 'metadata')) as Array<{ client_id: string; metadata: Record<string, unknown> }>;
  for (const { client_id, metadata } of rows) {
    const before = hostOf(metadata, 'host');
    if (!before || before === hostOf(metadata, 'hostname') || metadata.cyberid_pairwise_sector) continue;
    await knex('clients').where({ client_id }).update({ metadata: JSON.stringify({ ...metadata, cyberid_pairwise_sector: before }) });
  }
}

export async function down(): Promise<void> {
  // The pins keep the IDs the old code derived; the old code ignores them.
}
