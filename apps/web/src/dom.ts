/** The page's one way to make DOM: `el('p', { class: 'x' }, 'text', child)`. */
export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) if (c) node.append(c);
  return node;
}

/** A button that copies `text()` to the clipboard and says so; `label` names what it copies. */
export function copyButton(label: string, text: () => string, id?: string): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'copy', id }, label);
  button.addEventListener('click', async () => {
    const value = text();
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard permission (an http: page, a denied prompt): copy through a selected textarea.
      const area = el('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
      area.value = value;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    button.dataset.copied = '';
    button.textContent = 'Copied';
    setTimeout(() => {
      delete button.dataset.copied;
      button.textContent = label;
    }, 1500);
  });
  return button;
}

/** Bytes for people: 1 234 567 → '1.2 MB'. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function hex(n: number | bigint, width = 0): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** What a view shows instead of its content: nothing to show, or a part of the file that cannot be read. */
export function note(id: string, text: string): HTMLElement {
  return el('p', { class: 'empty', id }, text);
}

/** The note for a part of the file the reader refused (the problems banner says why). */
export const UNREADABLE = 'cannot be read (see the problems above).';
