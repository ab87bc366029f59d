import { inspectFile } from './inspect.js';
import { renderInspection } from './render.js';
import './style.css';

const input = document.querySelector<HTMLInputElement>('#file')!;
const drop = document.querySelector<HTMLElement>('#drop')!;
const out = document.querySelector<HTMLElement>('#out')!;

async function show(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  renderInspection(out, inspectFile(file.name, bytes));
}

input.addEventListener('change', () => {
  const file = input.files?.[0];
  if (file) void show(file);
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void show(file);
});
