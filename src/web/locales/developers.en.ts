// English strings for the developer portal (/developers).
export const developersEn = {
  'developers.title': 'Developer portal',
  'developers.lead': 'Everything an internet service needs to offer "Log in with Cyberspace ID": the integration guide, the claims, the ID format, the sandbox and working examples.',
  'developers.start': 'Start with the integration guide',
  'developers.list': 'All documents',
  'developers.discovery': 'Discovery document (machine-readable configuration)',
  'developers.untranslated': '(in English)',
  'developers.doc.title': '{title} · Developers',
  'developers.breadcrumb': 'Where you are',
  'developers.fallback': 'This page has no Chinese translation yet; the English original follows.',
  'developers.translation-note': 'This is a translation; where it differs from the English original, the English original applies.',
  'developers.original': 'Read the English original',
};
