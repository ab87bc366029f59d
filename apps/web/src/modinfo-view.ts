import type { KernelModule } from '@kmodkit/elf';
import { copyButton, el, note, UNREADABLE } from './dom.js';
import { formatModinfo, modinfoLines } from './modinfo-output.js';

/** `.modinfo` in kmod's order, with "copy as modinfo output" (the text `kmodkit modinfo` prints). */
export function modinfoView(fileName: string, module: KernelModule): HTMLElement {
  let lines: ReturnType<typeof modinfoLines>;
  try {
    lines = modinfoLines(module);
  } catch {
    return note('modinfo', `The .modinfo section ${UNREADABLE}`);
  }
  const text = () => formatModinfo(fileName, lines);
  const preview = el('pre', { class: 'output', id: 'modinfo-text' });
  const details = el(
    'details',
    { class: 'as-text' },
    el('summary', {}, 'Show as modinfo prints it'),
    preview,
  );
  details.addEventListener('toggle', () => {
    if (details.open && !preview.textContent) preview.textContent = text();
  });
  return el(
    'div',
    {},
    el(
      'div',
      { class: 'view-head' },
      el(
        'p',
        { class: 'muted' },
        'In kmod’s order: the .modinfo strings as stored, the signature, then one line per parameter (newest first), as ',
        el('code', {}, 'modinfo'),
        ' prints them.',
      ),
      copyButton('Copy as modinfo output', text, 'copy-modinfo'),
    ),
    lines.length === 0
      ? note('modinfo', 'This module has no .modinfo entries.')
      : el(
          'div',
          { class: 'scroll' },
          el(
            'table',
            { class: 'kv', id: 'modinfo' },
            el(
              'tbody',
              {},
              ...lines.map((l) => el('tr', {}, el('th', { scope: 'row' }, l.key), el('td', {}, l.value))),
            ),
          ),
        ),
    details,
  );
}
