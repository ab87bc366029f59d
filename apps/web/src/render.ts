import type { ModuleParam } from '@kmodkit/elf';
import type { Inspection, Problem } from './inspect.js';
import { buildCommand } from './param-builder.js';

type Child = Node | string;

function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function table(headers: string[], rows: string[][], id: string): HTMLElement {
  return el(
    'table',
    { id },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

function section(title: string, ...children: Child[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), ...children);
}

function problemText(p: Problem): string {
  const at = p.offset === undefined ? '' : ` at byte 0x${p.offset.toString(16)}`;
  return `${p.code}${at}: ${p.message} — the kernel would answer ${p.errno}`;
}

function paramType(p: ModuleParam): string {
  if (p.type === 'array') return `array of ${p.elementType ?? '?'} (max ${p.maxLength ?? '?'})`;
  if (p.type === 'string') return `string (${p.maxLength ?? '?'} bytes)`;
  return p.type;
}

function paramBuilder(fileName: string, params: readonly ModuleParam[]): HTMLElement {
  const values = new Map<string, string>();
  const output = el('pre', { id: 'command' });
  const problems = el('ul', { id: 'param-problems' });
  const update = (): void => {
    const built = buildCommand(fileName, params, values);
    output.textContent = built.command;
    problems.replaceChildren(...built.problems.map((p) => el('li', {}, p)));
  };
  const rows = params.map((p) => {
    const input = el('input', {
      name: p.name,
      'aria-label': p.name,
      placeholder: paramType(p),
    }) as HTMLInputElement;
    input.addEventListener('input', () => {
      values.set(p.name, input.value);
      update();
    });
    return el('label', { class: 'param' }, el('span', {}, p.name), input);
  });
  update();
  return section('Build parameters', el('div', { class: 'params' }, ...rows), output, problems);
}

export function renderInspection(target: HTMLElement, result: Inspection): void {
  if (!result.ok) {
    target.replaceChildren(
      el('h1', {}, result.fileName),
      el('p', { class: 'error', id: 'error' }, problemText(result.error)),
    );
    return;
  }
  const m = result.module;
  const parts: HTMLElement[] = [el('h1', {}, result.fileName), table(['', ''], result.summary, 'summary')];
  if (result.problems.length) {
    parts.push(
      section(
        'Problems',
        el('ul', { id: 'problems' }, ...result.problems.map((p) => el('li', {}, problemText(p)))),
      ),
    );
  }
  parts.push(
    section(
      '.modinfo',
      table(
        ['key', 'value'],
        m.modinfo.map((e) => [e.key, e.value]),
        'modinfo',
      ),
    ),
  );
  if (m.params.length) {
    parts.push(
      section(
        'Parameters',
        table(
          ['name', 'type', 'perm', 'description'],
          m.params.map((p) => [
            p.name,
            paramType(p),
            p.perm.toString(8).padStart(4, '0'),
            p.description ?? '',
          ]),
          'params',
        ),
      ),
      paramBuilder(result.fileName, m.params),
    );
  }
  parts.push(
    section(
      `Exports (${m.exports.length})`,
      table(
        ['symbol', 'GPL', 'namespace'],
        m.exports.map((e) => [e.name, e.gpl ? 'yes' : '', e.namespace ?? '']),
        'exports',
      ),
    ),
    section(
      `Imports (${m.imports.length})`,
      table(
        ['symbol', 'weak'],
        m.imports.map((i) => [i.name, i.weak ? 'yes' : '']),
        'imports',
      ),
    ),
  );
  target.replaceChildren(...parts);
}
