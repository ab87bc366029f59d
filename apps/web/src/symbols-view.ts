import type { ExportedSymbol, ImportedSymbol, KernelModule } from '@kmodkit/elf';
import { type Column, dataTable } from './data-table.js';
import { el, note, UNREADABLE } from './dom.js';

/** A modversions CRC as Module.symvers writes it: 0x%08x. */
export function crcText(crc: bigint | undefined): string {
  return crc === undefined ? '' : `0x${crc.toString(16).padStart(8, '0')}`;
}

const exportColumns: Column<ExportedSymbol>[] = [
  { label: 'Symbol', value: (s) => s.name, render: (s) => el('code', {}, s.name) },
  {
    label: 'License',
    value: (s) => (s.gpl ? 'GPL only' : 'any'),
    render: (s) =>
      s.gpl ? el('span', { class: 'badge gpl' }, 'GPL only') : el('span', { class: 'muted' }, 'any'),
  },
  {
    label: 'Namespace',
    value: (s) => s.namespace ?? '',
    render: (s) => (s.namespace ? el('code', {}, s.namespace) : ''),
  },
  {
    label: 'CRC',
    value: (s) => s.crc ?? -1n,
    render: (s) => el('code', {}, crcText(s.crc)),
    searchable: false,
  },
];

const importColumns: Column<ImportedSymbol>[] = [
  { label: 'Symbol', value: (s) => s.name, render: (s) => el('code', {}, s.name) },
  {
    label: 'CRC (__versions)',
    value: (s) => s.crc ?? -1n,
    render: (s) =>
      s.crc === undefined ? el('span', { class: 'muted' }, 'none') : el('code', {}, crcText(s.crc)),
    searchable: false,
  },
  {
    label: 'Binding',
    value: (s) => (s.weak ? 'weak' : 'global'),
    render: (s) =>
      s.weak ? el('span', { class: 'badge' }, 'weak') : el('span', { class: 'muted' }, 'global'),
  },
];

function part<T>(
  title: string,
  read: () => readonly T[],
  table: (rows: readonly T[]) => HTMLElement,
  id: string,
) {
  let rows: readonly T[];
  try {
    rows = read();
  } catch {
    return el('section', {}, el('h3', {}, title), note(id, `This table ${UNREADABLE}`));
  }
  return el(
    'section',
    { class: 'symbols' },
    el('h3', {}, `${title} `, el('span', { class: 'pill' }, String(rows.length))),
    table(rows),
  );
}

export function symbolsView(module: KernelModule): HTMLElement {
  return el(
    'div',
    { class: 'two-up' },
    part(
      'Exports',
      () => module.exports,
      (rows) =>
        dataTable({
          id: 'exports',
          caption: 'Exports',
          columns: exportColumns,
          rows,
          empty: 'This module exports no symbols.',
        }),
      'exports',
    ),
    part(
      'Imports',
      () => module.imports,
      (rows) =>
        dataTable({
          id: 'imports',
          caption: 'Imports',
          columns: importColumns,
          rows,
          empty: 'This module needs no symbols.',
        }),
      'imports',
    ),
  );
}
