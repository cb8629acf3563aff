// Hostile request bodies, refused before any handler sees them: prototype-pollution keys
// (`__proto__`, `constructor`, `prototype`, alone, bracketed or dotted), bracketed keys that a
// nested parser would turn into arrays or objects (`login[]`, `a[b]`), and a single-value field
// sent twice. Our forms and oidc-provider's endpoints take flat fields only, so such a body is
// never a browser's or an ISP library's honest request.
const POLLUTING = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a field name is refused, or undefined when it is a plain name. */
export function hostileKeyProblem(key: string): string | undefined {
  if (key.split(/[[\].]/).some((segment) => POLLUTING.has(segment))) return `field name "${key}" is not allowed`;
  if (/[[\]]/.test(key)) return `field name "${key}" is not a plain field`;
  return undefined;
}

export type StrictFields = Record<string, string | string[]>;

/**
 * Parses an urlencoded body into a null-prototype record of strings; only the names in
 * `multiValued` may repeat (and always come back as arrays). Throws the list of problems.
 */
export function parseStrictUrlencoded(raw: string, multiValued: ReadonlySet<string> = new Set()): { fields: StrictFields; problems: string[] } {
  const fields: StrictFields = Object.create(null) as StrictFields;
  const problems: string[] = [];
  for (const [key, value] of new URLSearchParams(raw)) {
    const problem = hostileKeyProblem(key);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (multiValued.has(key)) {
      const list = (fields[key] as string[] | undefined) ?? [];
      list.push(value);
      fields[key] = list;
    } else if (key in fields) {
      problems.push(`field "${key}" must be sent once`);
    } else {
      fields[key] = value;
    }
  }
  return { fields, problems: [...new Set(problems)] };
}

/** Polluting keys anywhere in a parsed JSON value (JSON.parse makes `__proto__` an own key). */
export function hostileJsonProblems(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (hostileKeyProblem(key)) problems.push(`member "${path}${key}" is not allowed`);
    else problems.push(...hostileJsonProblems(child, `${path}${key}.`));
  }
  return problems;
}
