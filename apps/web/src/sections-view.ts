import { type KernelModule, type Section, sectionTypeName } from '@kmodkit/elf';
import { type Column, dataTable } from './data-table.js';
import { el, hex, humanBytes, note, UNREADABLE } from './dom.js';
import { flagLetters, KIND_LABELS, sectionKind } from './section-kind.js';

function columns(machine: number): Column<Section>[] {
  return [
    { label: '#', value: (s) => s.index, numeric: true, searchable: false },
    {
      label: 'Section',
      value: (s) => s.name,
      render: (s) =>
        el(
          'span',
          {},
          el('span', { class: `swatch kind-${sectionKind(s)}`, title: KIND_LABELS[sectionKind(s)] }),
          el('code', {}, s.name || '(no name)'),
        ),
    },
    { label: 'Type', value: (s) => sectionTypeName(s.type, machine) },
    {
      label: 'Flags',
      value: (s) => flagLetters(s.flags).letters,
      render: (s) => {
        const f = flagLetters(s.flags);
        return el('code', { title: f.names }, f.letters);
      },
      searchable: false,
    },
    {
      label: 'Offset',
      value: (s) => s.offset,
      render: (s) => el('code', {}, hex(s.offset, 6)),
      numeric: true,
      searchable: false,
    },
    {
      label: 'Size',
      value: (s) => s.size,
      render: (s) => el('span', { title: `${s.size} bytes` }, humanBytes(s.size)),
      numeric: true,
      searchable: false,
    },
    { label: 'Align', value: (s) => s.addralign, numeric: true, searchable: false },
  ];
}

/** The treemap (its code loaded when first needed) and the section table. */
export function sectionsView(module: KernelModule): HTMLElement {
  let sections: readonly Section[];
  try {
    sections = module.sections;
  } catch {
    return note('sections', `The section headers ${UNREADABLE}`);
  }
  const chart = el(
    'div',
    { class: 'chart-slot', 'aria-busy': 'true' },
    el('p', { class: 'muted' }, 'Drawing the chart…'),
  );
  requestAnimationFrame(() => {
    void import('./section-chart.js').then(({ sectionChart }) => {
      chart.replaceChildren(sectionChart(sections, chart.clientWidth || 600));
      chart.removeAttribute('aria-busy');
    });
  });
  return el(
    'div',
    {},
    el('h3', {}, 'Where the bytes are'),
    chart,
    dataTable({
      id: 'sections',
      caption: 'Sections',
      columns: columns(module.machine),
      rows: sections,
      pageSize: 100,
      empty: 'This file has no sections.',
    }),
  );
}
