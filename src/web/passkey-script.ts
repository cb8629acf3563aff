// The passkey script (public/passkey.js) and its SHA-256 hash. The Content-Security-Policy
// allows exactly this file by hash (CSP Level 3 hash-source, matched against the script tag's
// integrity attribute), so no inline script and no other file can run on our pages.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLIC_DIR } from '../paths.js';

export const PASSKEY_SCRIPT_PATH = '/static/passkey.js';
export const passkeyScript = readFileSync(path.join(PUBLIC_DIR, 'passkey.js'));
export const PASSKEY_SCRIPT_INTEGRITY = `sha256-${createHash('sha256').update(passkeyScript).digest('base64')}`;
