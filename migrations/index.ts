// Ordered list of migrations. Append new files here; never edit one that has landed.
import type { Knex } from 'knex';
import * as initial from './20261122000000_initial.js';
import * as citizenIdentity from './20261122020000_citizen_identity.js';

export const migrations: ReadonlyArray<readonly [string, Knex.Migration]> = [
  ['20261122000000_initial', initial],
  ['20261122020000_citizen_identity', citizenIdentity],
];
