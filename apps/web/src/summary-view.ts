import { type Child, el, humanBytes } from './dom.js';
import type { Inspection, Problem, Summary } from './inspect.js';

type Ok = Extract<Inspection, { ok: true }>;

function chips(items: readonly string[], none = 'none'): Child {
  if (items.length === 0) return el('span', { class: 'muted' }, none);
  return el('ul', { class: 'chips' }, ...items.map((i) => el('li', {}, i)));
}

function field(label: string, value: Child, id?: string): HTMLElement[] {
  return [el('dt', {}, label), el('dd', { 'data-field': id ?? label.toLowerCase() }, value)];
}

function orNone(value: string | undefined): Child {
  return value === undefined || value === '' ? el('span', { class: 'muted' }, 'none') : value;
}

export function offsetText(offset: number | undefined): string {
  return offset === undefined ? '' : `at byte 0x${offset.toString(16)} (${offset})`;
}

/** One problem as a list item: what, where, and the errno. */
export function problemItem(p: Problem): HTMLElement {
  return el(
    'li',
    {},
    el('code', { class: 'code' }, p.code),
    ' ',
    p.message,
    p.offset === undefined ? null : el('span', { class: 'offset' }, ` — ${offsetText(p.offset)}`),
    ' ',
    el('span', { class: 'errno', title: p.errnoText }, `${p.errno} (${p.errnoText})`),
  );
}

/** The banner at the top of a module that the kernel would refuse: the first problem is what init_module returns. */
export function problemsBanner(problems: readonly Problem[]): HTMLElement | null {
  if (problems.length === 0) return null;
  const first = problems[0]!;
  return el(
    'section',
    { class: 'alert', id: 'problems', role: 'alert' },
    el(
      'h3',
      {},
      `The kernel would refuse this module: init_module(2) fails with ${first.errno} (${first.errnoText})`,
    ),
    el('ul', {}, ...problems.map(problemItem)),
  );
}

/** A file that could not be read at all: the reader's error, its offset and the kernel's errno. */
export function errorCard(fileName: string, fileSize: number, error: Problem): HTMLElement {
  return el(
    'section',
    { class: 'alert error-card', id: 'error', role: 'alert' },
    el('h2', {}, `${fileName} is not a kernel module this page can read`),
    el('p', { class: 'big' }, error.message),
    el(
      'dl',
      { class: 'facts' },
      ...field('Error', el('code', {}, error.code)),
      ...field('Where', error.offset === undefined ? 'the whole file' : offsetText(error.offset)),
      ...field(
        'The kernel',
        el(
          'span',
          {},
          'init_module(2) would fail with ',
          el('strong', {}, `${error.errno} (${error.errnoText})`),
        ),
      ),
      ...field('File size', `${humanBytes(fileSize)} (${fileSize} bytes)`),
    ),
  );
}

function signatureText(sig: Summary['signature']): Child {
  if (sig === null) return el('span', { class: 'muted' }, 'not signed');
  if ('code' in sig)
    return el('span', { class: 'bad' }, `unreadable signature: ${sig.message} (${sig.errno})`);
  return el(
    'span',
    {},
    `${sig.idType}, signed by `,
    el('strong', {}, sig.signer),
    ` with ${sig.hashAlgorithm}/${sig.algorithm}, key `,
    el('code', { class: 'wrap' }, sig.keyId),
  );
}

function softdepText(s: Summary['softdeps']): Child {
  if (s.pre.length === 0 && s.post.length === 0) return el('span', { class: 'muted' }, 'none');
  return el(
    'span',
    {},
    s.pre.length ? el('span', {}, 'before: ', chips(s.pre)) : null,
    s.post.length ? el('span', {}, 'after: ', chips(s.post)) : null,
  );
}

function aliasesText(aliases: readonly string[]): Child {
  if (aliases.length === 0) return el('span', { class: 'muted' }, 'none');
  return el(
    'details',
    { class: 'aliases' },
    el('summary', {}, `${aliases.length} alias${aliases.length === 1 ? '' : 'es'}`),
    el('ul', { class: 'mono-list' }, ...aliases.map((a) => el('li', {}, a))),
  );
}

function sizeText(r: Ok): string {
  const file = `${humanBytes(r.fileSize)} file`;
  if (r.summary.compression === 'none') return `${file} (${r.fileSize} bytes)`;
  return `${file}, ${humanBytes(r.summary.imageSize)} decompressed (${r.summary.imageSize} bytes)`;
}

/** Counts that lead to the other views. */
function stats(r: Ok, links: Record<string, string>): HTMLElement {
  const m = r.module;
  const count = (f: () => number) => {
    try {
      return String(f());
    } catch {
      return '—';
    }
  };
  const tile = (n: string, label: string, view: string) =>
    el('a', { class: 'stat', href: links[view] }, el('strong', {}, n), el('span', {}, label));
  const tiles: [() => number, string, string][] = [
    [() => m.params.length, 'parameters', 'params'],
    [() => m.exports.length, 'exports', 'symbols'],
    [() => m.imports.length, 'imports', 'symbols'],
    [() => m.sections.length, 'sections', 'sections'],
  ];
  return el('div', { class: 'stats' }, ...tiles.map(([n, label, view]) => tile(count(n), label, view)));
}

export function summaryView(r: Ok, links: Record<string, string>): HTMLElement {
  const s = r.summary;
  return el(
    'div',
    { class: 'view-summary' },
    stats(r, links),
    el(
      'dl',
      { class: 'facts card', id: 'summary' },
      ...field('Name', el('code', {}, s.name ?? '(none)'), 'name'),
      ...field('Description', orNone(s.description), 'description'),
      ...field('Authors', chips(s.authors), 'authors'),
      ...field('License', orNone(s.license), 'license'),
      ...field('Version', orNone(s.version), 'version'),
      ...field('srcversion', s.srcversion ? el('code', {}, s.srcversion) : orNone(undefined), 'srcversion'),
      ...field(
        'vermagic',
        s.vermagic ? el('code', { class: 'pre' }, s.vermagic) : orNone(undefined),
        'vermagic',
      ),
      ...field(
        'Architecture',
        `${s.architecture} · ${s.elfClass} · ${s.endian}-endian (${s.machineName})`,
        'architecture',
      ),
      ...field('Size', sizeText(r), 'size'),
      ...field('Compression', s.compression === 'none' ? 'none' : s.compression, 'compression'),
      ...field('Signature', signatureText(s.signature), 'signature'),
      ...field('Depends on', chips(s.depends), 'depends'),
      ...field('Soft dependencies', softdepText(s.softdeps), 'softdeps'),
      ...field('Aliases', aliasesText(s.aliases), 'aliases'),
      ...field('Imported namespaces', chips(s.importNs), 'namespaces'),
      ...field('Firmware', chips(s.firmware), 'firmware'),
    ),
  );
}
