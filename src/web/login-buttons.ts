// The "Log in with Cyberspace ID" buttons ISPs put on their sign-in pages (public/buttons/*.svg,
// one per language; usage rules in docs/integration.md §7), read once at start and served by
// the developer portal at LOGIN_BUTTONS_PATH.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const LOGIN_BUTTONS_PATH = '/static/buttons/';
const BUTTON_FILE = /^[a-z0-9-]+\.(en|zh-CN)\.svg$/;

/** The button images by file name. */
export function loadLoginButtons(projectRoot: string): Map<string, string> {
  const dir = path.join(projectRoot, 'public', 'buttons');
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).filter((file) => BUTTON_FILE.test(file)).map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]));
}
