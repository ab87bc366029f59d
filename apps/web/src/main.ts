import sampleUrl from '../../../fixtures/modules/kmodkit_test.ko?url';
import { App } from './app.js';
import { loadDecompressors } from './decompress-shim.js';
import { el } from './dom.js';
import './style.css';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fileInput = $<HTMLInputElement>('file');
const drop = $('drop');
const view = $('module');

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const app = new App($('tabs'), $('home'), view, {
  name: 'kmodkit_test.ko',
  load: () => fetchBytes(sampleUrl),
});

/** Anything unexpected is shown on the page, never only in the console. */
function showFailure(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  document.getElementById('failure')?.remove();
  document
    .querySelector('main')!
    .prepend(
      el(
        'p',
        { class: 'alert', id: 'failure', role: 'alert' },
        `Something went wrong in the page: ${message}`,
      ),
    );
}

async function openFiles(files: FileList | readonly File[] | null | undefined): Promise<void> {
  const list = [...(files ?? [])];
  if (list.length === 0) return;
  try {
    await app.open(
      await Promise.all(
        list.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      ),
    );
  } catch (err) {
    showFailure(err);
  }
}

fileInput.addEventListener('change', () => {
  void openFiles(fileInput.files).then(() => {
    fileInput.value = '';
  });
});
$('open-more').addEventListener('click', () => fileInput.click());
$('choose').addEventListener('click', () => fileInput.click());
$('sample').addEventListener('click', () => void app.openSample().catch(showFailure));

// Files can be dropped anywhere on the page; the drop zone lights up while they are over the window.
let depth = 0;
window.addEventListener('dragenter', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  depth++;
  document.body.classList.add('dragging');
});
window.addEventListener('dragleave', () => {
  depth = Math.max(0, depth - 1);
  if (depth === 0) document.body.classList.remove('dragging');
});
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  depth = 0;
  document.body.classList.remove('dragging');
  void openFiles(e.dataTransfer?.files);
});
drop.addEventListener('dragover', () => drop.classList.add('over'));
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', () => drop.classList.remove('over'));

window.addEventListener('error', (e) => showFailure(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showFailure(e.reason));

void app.route().catch(showFailure);

/**
 * Offline: the service worker caches what the page fetches through it. The first visit's files were
 * fetched before it was in control, so fetch them again through it, with the lazily loaded parts.
 */
async function keepForOffline(): Promise<void> {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
  await navigator.serviceWorker.register('./sw.js');
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
    );
  }
  const own = performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((u) => new URL(u).origin === location.origin);
  await Promise.all([...own, sampleUrl].map((u) => fetch(u).catch(() => undefined)));
  await Promise.all([loadDecompressors(), import('./section-chart.js')]);
  document.documentElement.dataset.offline = 'ready';
}
window.addEventListener('load', () => void keepForOffline().catch(() => undefined));
