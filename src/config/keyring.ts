// A keyring of key-encryption keys: "id1:base64url,id2:base64url". The first key is the
// active one (used to wrap new data keys); the others only unwrap, so keys can rotate.
export type Keyring = {
  activeId: string;
  keys: ReadonlyMap<string, Buffer>;
};

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function parseKeyring(name: string, value: string, problems: string[]): Keyring | undefined {
  const keys = new Map<string, Buffer>();
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [id, material, ...rest] = entry.split(':');
    if (!id || !material || rest.length > 0 || !KEY_ID.test(id)) {
      problems.push(`${name}: each entry must be "keyid:base64url-key" (key id: letters, digits, _ or -)`);
      return undefined;
    }
    const key = Buffer.from(material, 'base64url');
    if (key.length !== 32) {
      problems.push(`${name}: key "${id}" must be exactly 32 bytes (AES-256); hint: openssl rand -base64 32`);
      return undefined;
    }
    if (keys.has(id)) {
      problems.push(`${name}: key id "${id}" appears twice`);
      return undefined;
    }
    keys.set(id, key);
  }
  const activeId = entries[0]?.split(':')[0];
  if (!activeId) {
    problems.push(`${name} must hold at least one key`);
    return undefined;
  }
  return { activeId, keys };
}
