import { el } from './dom.js';
import { type Inspection, inspectFile } from './inspect.js';
import { type LoadInputs, loadView } from './load-view.js';
import { modinfoView } from './modinfo-view.js';
import { buildArgs, type FieldValue, longBitsOf, modinfoOrder } from './param-builder.js';
import { paramsView } from './params-view.js';
import { sectionsView } from './sections-view.js';
import { errorCard, problemsBanner, summaryView } from './summary-view.js';
import { symbolsView } from './symbols-view.js';

export const VIEWS = ['overview', 'modinfo', 'params', 'symbols', 'sections', 'load'] as const;
export type View = (typeof VIEWS)[number];
const VIEW_LABELS: Record<View, string> = {
  overview: 'Overview',
  modinfo: 'modinfo',
  params: 'Parameters',
  symbols: 'Symbols',
  sections: 'Sections',
  load: 'Will it load?',
};

/** One open file and what the user did with it (builder values, load-check inputs). */
interface Tab {
  key: string;
  inspection: Inspection;
  /** Milliseconds to decompress, read and validate the file. */
  readMs: number;
  values: Map<string, FieldValue>;
  load: LoadInputs;
}

/** `#/<file>/<view>`: which module and which of its views is open; `#/` or nothing is the start page. */
export function parseHash(hash: string): { key: string; view: View } | null {
  const m = /^#\/([^/]+)\/?([a-z]*)$/.exec(hash);
  if (!m) return null;
  let key: string;
  try {
    key = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  const view = (VIEWS as readonly string[]).includes(m[2]!) ? (m[2] as View) : 'overview';
  return { key, view };
}

export function hashOf(key: string, view: View): string {
  return `#/${encodeURIComponent(key)}/${view}`;
}

function moduleName(t: Tab): string {
  const r = t.inspection;
  return (r.ok ? r.summary.name : undefined) ?? r.fileName.replace(/\.ko(\.(gz|xz|zst))?$/, '');
}

export class App {
  readonly #tabs: Tab[] = [];
  readonly #tabBar: HTMLElement;
  readonly #home: HTMLElement;
  readonly #view: HTMLElement;
  readonly #sample: { name: string; load: () => Promise<Uint8Array> };

  constructor(
    tabBar: HTMLElement,
    home: HTMLElement,
    view: HTMLElement,
    sample: { name: string; load: () => Promise<Uint8Array> },
  ) {
    this.#tabBar = tabBar;
    this.#home = home;
    this.#view = view;
    this.#sample = sample;
    window.addEventListener('hashchange', () => void this.route());
  }

  /** Reads files and opens a tab for each; the last one is shown. */
  async open(files: readonly { name: string; bytes: Uint8Array }[]): Promise<void> {
    let last: string | undefined;
    for (const f of files) {
      const start = performance.now();
      const inspection = await inspectFile(f.name, f.bytes);
      const readMs = performance.now() - start;
      let key = f.name;
      for (let n = 2; this.#tabs.some((t) => t.key === key); n++) key = `${f.name} (${n})`;
      this.#tabs.push({
        key,
        inspection,
        readMs,
        values: new Map(),
        load: { kernel: '', symvers: undefined },
      });
      last = key;
    }
    if (last !== undefined) this.#go(hashOf(last, 'overview'));
  }

  async openSample(): Promise<void> {
    await this.open([{ name: this.#sample.name, bytes: await this.#sample.load() }]);
  }

  close(key: string): void {
    const i = this.#tabs.findIndex((t) => t.key === key);
    if (i < 0) return;
    this.#tabs.splice(i, 1);
    const current = parseHash(location.hash);
    if (current?.key !== key) {
      this.#drawTabs(current?.key);
      return;
    }
    const next = this.#tabs[Math.min(i, this.#tabs.length - 1)];
    this.#go(next ? hashOf(next.key, current.view) : '#/');
  }

  #go(hash: string): void {
    if (location.hash === hash) void this.route();
    else location.hash = hash;
  }

  /** Shows what the URL fragment names; the sample opens by itself when the fragment names it. */
  async route(): Promise<void> {
    const where = parseHash(location.hash);
    let tab = where ? this.#tabs.find((t) => t.key === where.key) : undefined;
    if (where && !tab && where.key === this.#sample.name) {
      const view = where.view;
      await this.openSample();
      tab = this.#tabs.find((t) => t.key === where.key);
      if (tab && view !== 'overview') {
        this.#go(hashOf(tab.key, view));
        return;
      }
    }
    // Redrawing replaces the links and buttons: keep the keyboard focus on the same control, or move it
    // to the heading of what is now shown when the focused control is gone.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const focusKey = focused?.dataset.focusKey;
    this.#drawTabs(tab?.key);
    if (!where || !tab) {
      this.#home.hidden = false;
      this.#view.hidden = true;
      this.#view.replaceChildren();
      document.title = 'kmodkit — inspect a Linux kernel module in your browser';
    } else {
      this.#home.hidden = true;
      this.#view.hidden = false;
      document.title = `${tab.key} — kmodkit`;
      this.#view.replaceChildren(...this.#renderTab(tab, where.view));
    }
    const again = focusKey
      ? [...document.querySelectorAll<HTMLElement>('[data-focus-key]')].find(
          (e) => e.dataset.focusKey === focusKey,
        )
      : undefined;
    if (again) again.focus();
    else if (focused && (!focused.isConnected || focused.closest('[hidden]'))) {
      document.querySelector<HTMLElement>(tab ? '#module-name' : '#home h1')?.focus();
    }
  }

  #drawTabs(active: string | undefined): void {
    this.#tabBar.replaceChildren(
      ...this.#tabs.map((t) => {
        const view = parseHash(location.hash)?.view ?? 'overview';
        const bad = !t.inspection.ok || t.inspection.problems.length > 0;
        const link = el(
          'a',
          {
            href: hashOf(t.key, view),
            class: 'tab-link',
            'data-focus-key': `tab:${t.key}`,
            'aria-current': t.key === active ? 'page' : undefined,
          },
          bad ? el('span', { class: 'dot bad', 'aria-label': 'has problems' }) : null,
          t.key,
        );
        const close = el(
          'button',
          { type: 'button', class: 'tab-close', 'aria-label': `Close ${t.key}` },
          '×',
        );
        close.addEventListener('click', () => this.close(t.key));
        return el('li', { class: t.key === active ? 'tab active' : 'tab' }, link, close);
      }),
    );
    this.#tabBar.hidden = this.#tabs.length === 0;
  }

  #renderTab(tab: Tab, view: View): HTMLElement[] {
    const r = tab.inspection;
    const timing = el(
      'p',
      { class: 'timing muted', id: 'read-time' },
      `Read and checked in ${tab.readMs.toFixed(1)} ms, in this browser.`,
    );
    if (!r.ok) return [errorCard(r.fileName, r.fileSize, r.error), timing];
    const links = Object.fromEntries(VIEWS.map((v) => [v, hashOf(tab.key, v)]));
    const name = moduleName(tab);
    const s = r.summary;
    const badges = [
      s.license ? el('span', { class: 'badge' }, s.license) : null,
      el('span', { class: 'badge' }, s.architecture),
      s.compression === 'none' ? null : el('span', { class: 'badge' }, s.compression),
      s.signature === null
        ? el('span', { class: 'badge muted' }, 'unsigned')
        : 'code' in s.signature
          ? el('span', { class: 'badge bad' }, 'bad signature')
          : el('span', { class: 'badge good' }, 'signed'),
      r.problems.length
        ? el(
            'span',
            { class: 'badge bad' },
            `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`,
          )
        : null,
    ];
    const nav = el(
      'nav',
      { class: 'views', 'aria-label': 'Views of this module' },
      ...VIEWS.map((v) =>
        el(
          'a',
          {
            href: links[v],
            'aria-current': v === view ? 'page' : undefined,
            'data-view': v,
            'data-focus-key': `view:${v}`,
          },
          VIEW_LABELS[v],
        ),
      ),
    );
    const paramString = () =>
      buildArgs(
        name,
        r.fileName,
        modinfoOrder(safeParams(r), r.module.modinfo),
        tab.values,
        longBitsOf(r.module.class),
      ).args;
    let body: HTMLElement;
    switch (view) {
      case 'overview':
        body = summaryView(r, links);
        break;
      case 'modinfo':
        body = modinfoView(r.fileName, r.module);
        break;
      case 'params':
        body = paramsView(r.module, name, r.fileName, tab.values);
        break;
      case 'symbols':
        body = symbolsView(r.module);
        break;
      case 'sections':
        body = sectionsView(r.module);
        break;
      case 'load':
        body = loadView(r.module, tab.load, paramString, links.params!);
        break;
    }
    return [
      el(
        'header',
        { class: 'module-head' },
        el('h1', { id: 'module-name', tabindex: '-1' }, name),
        el('p', { class: 'lede' }, s.description ?? r.fileName),
        el('div', { class: 'badges' }, ...badges),
      ),
      problemsBanner(r.problems) ?? el('span', { hidden: '' }),
      nav,
      el('div', { class: `view view-${view}`, id: `view-${view}` }, body),
      timing,
    ];
  }
}

function safeParams(r: Extract<Inspection, { ok: true }>) {
  try {
    return r.module.params;
  } catch {
    return [];
  }
}
