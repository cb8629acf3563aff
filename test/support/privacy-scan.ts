// Scans what the service keeps and says for plaintext personal data (DESIGN.md "Privacy by
// construction"): every PostgreSQL table of a test schema, every Redis key under a test prefix,
// captured log lines and anything else the test collects (e.g. what an ISP received). Each hit
// names WHERE it was (table, row, column; Redis key and field; log line) and which value it was.
//
// A value is looked for as written (case-insensitively, NFC and NFD) and in the encodings data
// takes on its way into storage: URL-encoded, JSON \u-escaped, hex, and base64/base64url at
// each of the three byte alignments (so a name inside a JWT payload or a base64 blob is found).
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';

export type Needle = { label: string; value: string };
export type Source = { where: string; text: string };
export type Finding = { where: string; label: string; value: string; form: string; excerpt: string };

type Form = { form: string; text: string; caseSensitive: boolean };

/** The part of base64(prefix ‖ value) that depends on `value` alone, for each alignment. */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64').replace(/=+$/, '');
    const firstBit = offset * 8;
    const lastBit = (offset + bytes.length) * 8 - 1;
    // Character i encodes bits [6i, 6i + 5]; keep the ones entirely inside the value.
    const from = Math.ceil(firstBit / 6);
    const to = Math.floor((lastBit + 1) / 6); // exclusive
    const stable = encoded.slice(from, to);
    if (stable.length >= 6) forms.push(stable);
  }
  return forms;
}

function formsOf(value: string): Form[] {
  const forms: Form[] = [];
  const add = (form: string, text: string, caseSensitive = false) => {
    if (text && !forms.some((f) => f.text === text && f.caseSensitive === caseSensitive)) forms.push({ form, text, caseSensitive });
  };
  for (const [normal, text] of [['NFC', value.normalize('NFC')], ['NFD', value.normalize('NFD')]] as const) {
    add(normal === 'NFC' ? 'plain' : 'plain (NFD)', text);
    add('URL-encoded', encodeURIComponent(text));
    add('URL-encoded (+ for space)', encodeURIComponent(text).replaceAll('%20', '+'));
    let escaped = '';
    for (let i = 0; i < text.length; i += 1) {
      const unit = text.charCodeAt(i);
      escaped += unit > 0x7e ? `\\u${unit.toString(16).padStart(4, '0')}` : text[i];
    }
    add('JSON \\u-escaped', escaped);
    const bytes = Buffer.from(text, 'utf8');
    add('hex', bytes.toString('hex'));
    for (const b64 of base64Forms(bytes)) {
      add('base64', b64, true);
      add('base64url', b64.replaceAll('+', '-').replaceAll('/', '_'), true);
    }
  }
  return forms;
}

/** Every place any needle occurs in any source. */
export function scanForPlaintext(sources: Iterable<Source>, needles: Needle[]): Finding[] {
  const prepared = needles.map((needle) => ({
    needle,
    forms: formsOf(needle.value).map((f) => ({ ...f, lower: f.text.toLowerCase() })),
  }));
  const findings: Finding[] = [];
  for (const source of sources) {
    const lower = source.text.toLowerCase();
    for (const { needle, forms } of prepared) {
      for (const form of forms) {
        const at = form.caseSensitive ? source.text.indexOf(form.text) : lower.indexOf(form.lower);
        if (at < 0) continue;
        const excerpt = source.text.slice(Math.max(0, at - 40), at + form.text.length + 40);
        findings.push({ where: source.where, label: needle.label, value: needle.value, form: form.form, excerpt });
        break; // one finding per needle and place is enough
      }
    }
  }
  return findings;
}

export function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `  ${f.where}: ${f.label} ${JSON.stringify(f.value)} (${f.form}) in …${JSON.stringify(f.excerpt)}…`).join('\n');
}

/** Turns a database or Redis value into text the scanner can search (bytes as UTF-8 and hex). */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return `${value.toString('utf8')} ${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? textOf(v) : v));
  return String(value);
}

/** One source per cell of every table (and view) in `schema`: where = "pg schema.table[row].column". */
export async function dumpPostgresSchema(knex: Knex, schema: string): Promise<{ sources: Source[]; tables: string[]; rows: number }> {
  const tables: string[] = (await knex('information_schema.tables').where({ table_schema: schema }).orderBy('table_name').pluck('table_name'));
  const sources: Source[] = [];
  let rows = 0;
  for (const table of tables) {
    const result = await knex.raw('SELECT * FROM ??.??', [schema, table]);
    const all = result.rows as Array<Record<string, unknown>>;
    rows += all.length;
    all.forEach((row, index) => {
      for (const [column, value] of Object.entries(row)) sources.push({ where: `pg ${schema}.${table}[${index}].${column}`, text: textOf(value) });
    });
  }
  return { sources, tables, rows };
}

/** One source per Redis key under `prefix` (its name) and per value or field, whatever its type. */
export async function dumpRedisPrefix(redis: Redis, prefix: string): Promise<{ sources: Source[]; keys: string[] }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  keys.sort();
  const sources: Source[] = [];
  for (const key of keys) {
    sources.push({ where: `redis key name ${key}`, text: key });
    const type = await redis.type(key);
    const at = (field: string) => `redis ${type} ${key}${field}`;
    switch (type) {
      case 'string':
        sources.push({ where: at(''), text: textOf(await redis.getBuffer(key)) });
        break;
      case 'hash':
        for (const [field, value] of Object.entries(await redis.hgetall(key))) {
          sources.push({ where: at(` field ${field}`), text: `${field} ${value}` });
        }
        break;
      case 'set':
        for (const member of await redis.smembers(key)) sources.push({ where: at(' member'), text: member });
        break;
      case 'zset':
        for (const member of await redis.zrange(key, '0', '-1')) sources.push({ where: at(' member'), text: member });
        break;
      case 'list':
        (await redis.lrange(key, 0, -1)).forEach((item, i) => sources.push({ where: at(`[${i}]`), text: item }));
        break;
      case 'none':
        break; // expired between SCAN and TYPE
      default:
        sources.push({ where: at(''), text: `unscanned redis type ${type}` });
        throw new Error(`privacy scan cannot read Redis type ${type} (${key}); teach dumpRedisPrefix about it`);
    }
  }
  return { sources, keys };
}

/** Captured log lines, numbered. */
export function logSources(lines: string[]): Source[] {
  return lines.map((line, i) => ({ where: `log line ${i + 1}`, text: line }));
}
