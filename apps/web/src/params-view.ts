import type { KernelModule, ModuleParam } from '@kmodkit/elf';
import { copyButton, el, note, UNREADABLE } from './dom.js';
import {
  buildArgs,
  type Field,
  type FieldValue,
  fieldOf,
  longBitsOf,
  modinfoOrder,
  permString,
  typeLabel,
} from './param-builder.js';

function sizeLabel(p: ModuleParam): string {
  if (p.type === 'array')
    return p.maxLength === undefined ? '—' : `${p.maxLength} × ${p.elementSize ?? '?'} B`;
  if (p.type === 'string') return p.maxLength === undefined ? '—' : `${p.maxLength} B buffer`;
  return '—';
}

/** One row per parameter: `__param` joined with its `parm`/`parmtype` text. */
function paramsTable(params: readonly ModuleParam[]): HTMLElement {
  return el(
    'div',
    { class: 'scroll' },
    el(
      'table',
      { class: 'data cards', id: 'params' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Parameter', 'Type', 'Permission', 'Size', 'Description'].map((h) =>
            el('th', { scope: 'col' }, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        ...params.map((p) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, el('code', {}, p.name)),
            el('td', { 'data-label': 'Type' }, el('span', { class: 'type' }, typeLabel(p))),
            el(
              'td',
              { class: 'perm', 'data-label': 'Permission' },
              el('code', {}, `0${p.perm.toString(8).padStart(3, '0')}`),
              ' ',
              el('code', { class: 'muted' }, permString(p.perm)),
              p.perm === 0 ? el('span', { class: 'muted' }, ' not in sysfs') : null,
            ),
            el('td', { class: 'num', 'data-label': 'Size' }, sizeLabel(p)),
            el(
              'td',
              { class: 'desc', 'data-label': 'Description' },
              p.description ?? el('span', { class: 'muted' }, 'no description'),
            ),
          ),
        ),
      ),
    ),
  );
}

function hintOf(field: Field): string {
  switch (field.kind) {
    case 'bool':
      return 'checked: Y, unchecked: N';
    case 'integer':
      return `${field.min} … ${field.max} · hex 0x…, octal 0…`;
    case 'text':
      return field.maxBytes === undefined ? 'text' : `text, at most ${field.maxBytes} bytes`;
    case 'array':
      return `up to ${field.max} values, each ${hintOf(field.element)}`;
    case 'custom':
      return 'the module’s own ops: only the module can check the value';
  }
}

/** Up/Down in an integer field steps the value within the type's range. */
function stepper(
  input: HTMLInputElement,
  field: Extract<Field, { kind: 'integer' }>,
  changed: () => void,
): void {
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    let n: bigint;
    try {
      n = BigInt(input.value.trim() || '0');
    } catch {
      return;
    }
    n += e.key === 'ArrowUp' ? 1n : -1n;
    if (n < field.min || n > field.max) return;
    e.preventDefault();
    input.value = field.hex ? `0x${n.toString(16)}` : String(n);
    changed();
  });
}

function textInput(name: string, field: Field, value: string, label: string, onInput: (v: string) => void) {
  const input = el('input', {
    type: 'text',
    name,
    autocomplete: 'off',
    spellcheck: 'false',
    inputmode: field.kind === 'integer' ? (field.hex ? 'text' : 'numeric') : undefined,
    placeholder: field.kind === 'bool' ? 'Y or N' : undefined,
    'aria-label': label,
  });
  input.value = value;
  const changed = () => onInput(input.value);
  input.addEventListener('input', changed);
  if (field.kind === 'integer') stepper(input, field, changed);
  return input;
}

/** The typed input of one parameter; `set(undefined)` leaves it out of the string. */
function paramInput(
  p: ModuleParam,
  field: Field,
  get: () => FieldValue | undefined,
  set: (v: FieldValue | undefined) => void,
): HTMLElement {
  if (field.kind === 'bool') {
    const box = el('input', { type: 'checkbox', name: p.name, 'aria-label': `${p.name} (Y/N)` });
    const state = el('span', { class: 'bool-state' });
    const show = () => {
      const v = get();
      box.indeterminate = v === undefined;
      box.checked = v === true;
      state.textContent = v === undefined ? 'not set' : v ? 'Y' : 'N';
    };
    box.addEventListener('change', () => {
      set(box.checked);
      show();
    });
    show();
    return el('label', { class: 'bool' }, box, state);
  }
  if (field.kind === 'array') {
    const list = el('div', { class: 'array' });
    const draw = () => {
      const items = [...((get() as readonly string[] | undefined) ?? [''])];
      const add = el('button', { type: 'button', class: 'small' }, '+ value');
      add.disabled = items.length >= field.max;
      const current = () => [...((get() as readonly string[] | undefined) ?? [''])];
      add.addEventListener('click', () => {
        set([...current(), '']);
        draw();
        list.querySelectorAll('input')[items.length]?.focus();
      });
      list.replaceChildren(
        ...items.map((v, i) => {
          const input = textInput(`${p.name}[${i}]`, field.element, v, `${p.name} value ${i + 1}`, (text) => {
            const next = current();
            next[i] = text;
            set(next);
          });
          if (items.length === 1) return input;
          const remove = el(
            'button',
            { type: 'button', class: 'small', 'aria-label': `remove value ${i + 1}` },
            '×',
          );
          remove.addEventListener('click', () => {
            set(current().filter((_, k) => k !== i));
            draw();
          });
          return el('span', { class: 'array-item' }, input, remove);
        }),
        add,
      );
    };
    draw();
    return list;
  }
  const current = get();
  return textInput(p.name, field, typeof current === 'string' ? current : '', p.name, (v) => set(v));
}

/**
 * The parameter builder: a typed input per parameter, the string and commands they make, and the
 * kernel's verdict on each value, recomputed on every keystroke.
 */
function builder(
  module: KernelModule,
  moduleName: string,
  fileName: string,
  values: Map<string, FieldValue>,
): HTMLElement {
  const params = modinfoOrder(module.params, module.modinfo);
  const issueNodes = new Map<string, HTMLElement>();
  const out = {
    args: el('code', { id: 'param-string' }),
    insmod: el('code', { id: 'cmd-insmod' }),
    modprobe: el('code', { id: 'cmd-modprobe' }),
    options: el('code', { id: 'cmd-options' }),
  };
  const status = el('p', { class: 'status', id: 'param-status', 'aria-live': 'polite' });
  const update = () => {
    const built = buildArgs(moduleName, fileName, params, values, longBitsOf(module.class));
    out.args.textContent = built.args || '(no parameters set)';
    out.insmod.textContent = built.insmod;
    out.modprobe.textContent = built.modprobe;
    out.options.textContent = built.options;
    for (const [name, node] of issueNodes) {
      const issue = built.issues.get(name);
      node.hidden = issue === undefined;
      node.replaceChildren(
        ...(issue
          ? [
              el('strong', {}, `${issue.errno} (${issue.errnoText})`),
              ' ',
              el('code', {}, issue.kernelLog),
              el('br'),
              el('span', { class: 'muted' }, issue.message),
            ]
          : []),
      );
      node.closest('.field')?.classList.toggle('invalid', issue !== undefined);
    }
    status.className = `status ${built.errno ? 'bad' : built.args ? 'good' : ''}`;
    status.textContent = built.errno
      ? `init_module(2) would fail with ${built.errno}: ${built.issues.size} value${built.issues.size === 1 ? '' : 's'} refused`
      : built.args
        ? 'The kernel’s parser accepts these values.'
        : 'Set a value to build the parameter string.';
  };
  const rows = params.map((p) => {
    const field = fieldOf(p, module.class);
    const issue = el('p', { class: 'issue', 'data-issue-for': p.name, hidden: '' });
    issueNodes.set(p.name, issue);
    const setValue = (v: FieldValue | undefined) => {
      if (v === undefined) values.delete(p.name);
      else values.set(p.name, v);
      update();
    };
    const make = () => paramInput(p, field, () => values.get(p.name), setValue);
    const slot = el('div', { class: 'input' }, make());
    const clear = el(
      'button',
      { type: 'button', class: 'small ghost', 'aria-label': `clear ${p.name}` },
      'clear',
    );
    clear.addEventListener('click', () => {
      values.delete(p.name);
      slot.replaceChildren(make());
      update();
    });
    return el(
      'div',
      { class: 'field', 'data-param': p.name },
      el(
        'div',
        { class: 'field-label' },
        el('code', {}, p.name),
        el('span', { class: 'type' }, typeLabel(p)),
      ),
      slot,
      clear,
      el('p', { class: 'hint' }, hintOf(field)),
      issue,
    );
  });
  update();
  const line = (label: string, code: HTMLElement, what: string) =>
    el(
      'div',
      { class: 'cmd' },
      el('span', { class: 'cmd-label' }, label),
      el('pre', {}, code),
      copyButton('Copy', () => code.textContent ?? '', `copy-${what}`),
    );
  return el(
    'section',
    { class: 'builder', id: 'builder' },
    el('h3', {}, 'Build a parameter string'),
    el(
      'p',
      { class: 'muted' },
      'Each value is checked the way the kernel’s parse_args and param_set_* check it, with the error it would give.',
    ),
    el(
      'div',
      { class: 'builder-grid' },
      el(
        'div',
        { class: 'card outputs' },
        status,
        line('Parameter string', out.args, 'args'),
        line('insmod', out.insmod, 'insmod'),
        line('modprobe', out.modprobe, 'modprobe'),
        line(`/etc/modprobe.d/${moduleName}.conf`, out.options, 'options'),
      ),
      el('div', { class: 'fields' }, ...rows),
    ),
  );
}

export function paramsView(
  module: KernelModule,
  moduleName: string,
  fileName: string,
  values: Map<string, FieldValue>,
): HTMLElement {
  let params: readonly ModuleParam[];
  try {
    params = module.params;
  } catch {
    return note('params', `The __param section ${UNREADABLE}`);
  }
  if (params.length === 0) return note('params', 'This module has no parameters.');
  return el(
    'div',
    {},
    paramsTable(modinfoOrder(params, module.modinfo)),
    builder(module, moduleName, fileName, values),
  );
}
