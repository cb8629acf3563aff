// The developer portal's documents: docs/*.md (English, the reference) and docs/zh-CN/*.md
// (translations), rendered once at start with markdown-it into HTML for the site's layout.
// Raw HTML in the Markdown is not rendered (html: false), so a document cannot carry script.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import type { Locale } from './i18n.js';
import { LOGIN_BUTTONS_PATH } from './login-buttons.js';

export type DocPage = { name: string; title: string; html: string; locale: Locale };
export type DocSet = {
  names: string[];
  /** The page in `locale`, or the English one when it has no translation (`translated: false`). */
  page(name: string, locale: Locale): { page: DocPage; translated: boolean } | undefined;
  /** Example source files linked from the documents, by their path under examples/. */
  example(file: string): string | undefined;
};

const DOC_NAME = /^[a-z0-9-]+$/;
const EXAMPLE_FILE = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*\.(ts|js|mjs|py|go|md|json|xml|cs|php|yml|yaml|properties)$/;

/** Where a link or image inside a document goes once the document is a page at /developers/NAME. */
export function rewriteHref(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('/')) return href;
  const doc = /^(?:\.\/|\.\.\/docs\/)?([a-z0-9-]+)\.md(#.*)?$/.exec(href);
  if (doc) return `/developers/${doc[1]}${doc[2] ?? ''}`;
  const example = /^\.\.\/examples\/(.+)$/.exec(href);
  if (example) return `/developers/examples/${example[1]}`;
  const button = /^\.\.\/public\/buttons\/([^/]+\.svg)$/.exec(href);
  if (button) return `${LOGIN_BUTTONS_PATH}${button[1]}`;
  if (href === '../README.md') return '/developers';
  return href;
}

/** GitHub-style heading anchors: lower case, spaces to hyphens, punctuation dropped. */
export const slug = (text: string) =>
  text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s+/g, '-');

function createMarkdown(): InstanceType<typeof MarkdownIt> {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = token.attrGet('href');
    if (typeof href === 'string') token.attrSet('href', rewriteHref(href));
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  // Images in the documents (the login buttons) are served by the portal, not from the repository.
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = token.attrGet('src');
    if (typeof src === 'string') token.attrSet('src', rewriteHref(src));
    return defaultImage(tokens, idx, options, env, self);
  };
  md.renderer.rules.heading_open = (tokens, idx, options, _env, self) => {
    const inline = tokens[idx + 1];
    if (inline?.type === 'inline') tokens[idx]!.attrSet('id', slug(inline.content));
    return self.renderToken(tokens, idx, options);
  };
  // A code block wider than the page scrolls; keyboard users must be able to reach it (WCAG 2.1.1).
  for (const rule of ['fence', 'code_block'] as const) {
    const original = md.renderer.rules[rule]!;
    md.renderer.rules[rule] = (tokens, idx, options, env, self) =>
      original(tokens, idx, options, env, self).replace(/^<pre>/, '<pre tabindex="0">');
  }
  // So is a table on a phone: its scrolling box takes focus too.
  md.renderer.rules.table_open = () => '<div class="table-wrap" tabindex="0"><table>\n';
  md.renderer.rules.table_close = () => '</table></div>\n';
  return md;
}

function titleOf(source: string, name: string): string {
  return /^#\s+(.+)$/m.exec(source)?.[1]?.trim() ?? name;
}

function listExamples(root: string, prefix = ''): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : listExamples(root, relative);
    return EXAMPLE_FILE.test(relative) ? [relative] : [];
  });
}

export function loadDocSet(projectRoot: string): DocSet {
  const md = createMarkdown();
  const docsDir = path.join(projectRoot, 'docs');
  const render = (file: string, name: string, locale: Locale): DocPage => {
    const source = readFileSync(file, 'utf8');
    return { name, title: titleOf(source, name), html: md.render(source), locale };
  };
  const names = readdirSync(docsDir).filter((file) => file.endsWith('.md')).map((file) => file.slice(0, -3)).filter((name) => DOC_NAME.test(name)).sort();
  const pages = new Map<string, DocPage>();
  for (const name of names) {
    pages.set(`en/${name}`, render(path.join(docsDir, `${name}.md`), name, 'en'));
    const translation = path.join(docsDir, 'zh-CN', `${name}.md`);
    if (existsSync(translation)) pages.set(`zh-CN/${name}`, render(translation, name, 'zh-CN'));
  }
  const examplesDir = path.join(projectRoot, 'examples');
  const examples = new Map(listExamples(examplesDir).map((file) => [file, readFileSync(path.join(examplesDir, file), 'utf8')]));
  return {
    names,
    page(name, locale) {
      const translated = pages.get(`${locale}/${name}`);
      if (translated) return { page: translated, translated: true };
      const english = pages.get(`en/${name}`);
      return english ? { page: english, translated: false } : undefined;
    },
    example: (file) => examples.get(file),
  };
}
