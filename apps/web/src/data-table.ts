import { type Child, el, note } from './dom.js';

export interface Column<T> {
  readonly label: string;
  /** What the column sorts by and searches in. */
  readonly value: (row: T) => string | number | bigint;
  /** How a cell shows; the value as text when absent. */
  readonly render?: (row: T) => Child;
  readonly numeric?: boolean;
  /** Searched by the filter box (default true). */
  readonly searchable?: boolean;
}

export interface TableOptions<T> {
  readonly id: string;
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly pageSize?: number;
  /** Shown when there are no rows at all. */
  readonly empty: string;
}

function compare(a: string | number | bigint, b: string | number | bigint): number {
  if (typeof a === 'string' || typeof b === 'string') return String(a).localeCompare(String(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A table with a filter box, sortable columns (a button in each header, `aria-sort` on it) and pages
 * of `pageSize` rows, so a module with thousands of symbols stays a short page.
 */
export function dataTable<T>(options: TableOptions<T>): HTMLElement {
  const { id, caption, columns, rows, pageSize = 50 } = options;
  if (rows.length === 0) return note(id, options.empty);
  let query = '';
  let sortBy = -1;
  let descending = false;
  let page = 0;
  const search = el('input', {
    type: 'search',
    class: 'filter',
    placeholder: `Filter ${rows.length} ${caption.toLowerCase()}…`,
    'aria-label': `Filter ${caption.toLowerCase()}`,
    'aria-controls': id,
  });
  const status = el('span', { class: 'count', 'aria-live': 'polite' });
  const prev = el('button', { type: 'button', class: 'page' }, '‹ Previous');
  const next = el('button', { type: 'button', class: 'page' }, 'Next ›');
  const headers = columns.map((c, i) => {
    const button = el('button', { type: 'button', class: 'sort' }, c.label);
    button.addEventListener('click', () => {
      descending = sortBy === i ? !descending : false;
      sortBy = i;
      page = 0;
      draw();
    });
    return el('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, button);
  });
  const body = el('tbody');
  const table = el(
    'table',
    { id, class: 'data' },
    el('caption', { class: 'offscreen' }, caption),
    el('thead', {}, el('tr', {}, ...headers)),
    body,
  );
  const searchable = columns.filter((c) => c.searchable !== false);
  const haystack = rows.map((r) => searchable.map((c) => String(c.value(r)).toLowerCase()).join('\u0000'));

  function draw(): void {
    const q = query.trim().toLowerCase();
    let shown = rows.map((_, i) => i).filter((i) => q === '' || haystack[i]!.includes(q));
    if (sortBy >= 0) {
      const col = columns[sortBy]!;
      shown = shown.sort((a, b) => compare(col.value(rows[a]!), col.value(rows[b]!)) * (descending ? -1 : 1));
    }
    const pages = Math.max(1, Math.ceil(shown.length / pageSize));
    page = Math.min(page, pages - 1);
    const slice = shown.slice(page * pageSize, (page + 1) * pageSize);
    body.replaceChildren(
      ...slice.map((i) => {
        const row = rows[i]!;
        return el(
          'tr',
          {},
          ...columns.map((c) =>
            el(
              'td',
              { class: c.numeric ? 'num' : undefined },
              c.render ? c.render(row) : String(c.value(row)),
            ),
          ),
        );
      }),
    );
    headers.forEach((th, i) => {
      th.setAttribute('aria-sort', i === sortBy ? (descending ? 'descending' : 'ascending') : 'none');
    });
    const from = shown.length === 0 ? 0 : page * pageSize + 1;
    const to = page * pageSize + slice.length;
    const showing = pages > 1 ? `${from}–${to} of ` : '';
    if (shown.length === 0) status.textContent = `No match among ${rows.length}`;
    else if (shown.length < rows.length) {
      status.textContent = `${shown.length} of ${rows.length} match${pages > 1 ? ` · ${from}–${to}` : ''}`;
    } else status.textContent = `${showing}${rows.length}${showing ? '' : ` ${caption.toLowerCase()}`}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    pager.hidden = pages === 1;
  }
  const pager = el('div', { class: 'pager' }, prev, next);
  search.addEventListener('input', () => {
    query = search.value;
    page = 0;
    draw();
  });
  prev.addEventListener('click', () => {
    page--;
    draw();
  });
  next.addEventListener('click', () => {
    page++;
    draw();
  });
  draw();
  return el(
    'div',
    { class: 'table-block' },
    el('div', { class: 'table-tools' }, search, status),
    el('div', { class: 'scroll' }, table),
    pager,
  );
}
