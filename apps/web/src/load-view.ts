import type { KernelModule } from '@kmodkit/elf';
import { strerror } from '@kmodkit/errno';
import { el } from './dom.js';
import { type KernelSymbol, parseModuleSymvers, predictLoad } from './load-check.js';
import { loadTarget, verdict } from './load-target.js';

/** What the load check keeps while the user switches views. */
export interface LoadInputs {
  kernel: string;
  symvers: { fileName: string; symbols: Map<string, KernelSymbol> } | undefined;
}

const STATUS_ICON = { ok: '✓', fail: '✗', warn: '!', unknown: '?' } as const;

/**
 * "Will it load?": the kernel (a vermagic or release), its Module.symvers and the builder's parameter
 * string go to predictLoad (load-check.ts); its verdict and every finding are shown in the kernel's words.
 */
export function loadView(
  module: KernelModule,
  inputs: LoadInputs,
  paramString: () => string,
  paramsLink: string,
): HTMLElement {
  const kernel = el('input', {
    type: 'text',
    id: 'load-kernel',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: '6.1.0-56-amd64 SMP preempt mod_unload modversions ',
    'aria-describedby': 'load-kernel-hint',
  });
  kernel.value = inputs.kernel;
  const own = el(
    'button',
    { type: 'button', class: 'small', id: 'use-own-vermagic' },
    'Use this module’s vermagic',
  );
  own.disabled = module.vermagic === undefined;
  const symversInput = el('input', {
    type: 'file',
    id: 'symvers-file',
    class: 'offscreen',
    tabindex: '-1',
    'aria-hidden': 'true',
  });
  const symversLabel = el('span', { class: 'muted', id: 'symvers-status' });
  const symversClear = el(
    'button',
    { type: 'button', class: 'small', id: 'symvers-clear' },
    'Forget Module.symvers',
  );
  const symversDrop = el(
    'label',
    { class: 'mini-drop', for: 'symvers-file', tabindex: '0', role: 'button' },
    el('strong', {}, 'Module.symvers'),
    ' — drop it here or choose the file. ',
    symversLabel,
  );
  const params = el('code', { id: 'load-params' });
  const result = el('section', { class: 'verdict', id: 'load-result', 'aria-live': 'polite' });

  const run = () => {
    inputs.kernel = kernel.value;
    symversLabel.textContent = inputs.symvers
      ? `${inputs.symvers.symbols.size} symbols read from ${inputs.symvers.fileName}.`
      : 'Without it, symbols and CRCs are not checked.';
    symversClear.hidden = inputs.symvers === undefined;
    const args = paramString();
    params.textContent = args || '(none — set them under Parameters)';
    const prediction = predictLoad(module, args, loadTarget(kernel.value, inputs.symvers?.symbols));
    const v = verdict(prediction);
    result.className = `verdict ${v.state}`;
    result.replaceChildren(
      el(
        'h3',
        { id: 'load-verdict' },
        v.title,
        prediction.errno ? el('span', { class: 'muted' }, ` (${strerror(prediction.errno)})`) : null,
      ),
      el('p', { id: 'load-reason' }, el('code', {}, prediction.reason)),
      el(
        'ol',
        { class: 'findings', id: 'load-findings' },
        ...prediction.findings.map((f) =>
          el(
            'li',
            { class: `finding ${f.status}`, 'data-check': f.check },
            el('span', { class: 'icon', 'aria-label': f.status }, STATUS_ICON[f.status]),
            el('code', { class: 'check' }, f.check),
            el('span', {}, f.message, f.errno ? el('span', { class: 'errno' }, ` ${f.errno}`) : null),
          ),
        ),
      ),
    );
  };
  const readSymvers = async (file: File | undefined) => {
    if (!file) return;
    inputs.symvers = { fileName: file.name, symbols: parseModuleSymvers(await file.text()) };
    run();
  };
  kernel.addEventListener('input', run);
  symversClear.addEventListener('click', () => {
    inputs.symvers = undefined;
    symversInput.value = '';
    run();
  });
  own.addEventListener('click', () => {
    kernel.value = module.vermagic ?? '';
    run();
  });
  symversInput.addEventListener('change', () => void readSymvers(symversInput.files?.[0]));
  symversDrop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      symversInput.click();
    }
  });
  symversDrop.addEventListener('dragover', (e) => {
    e.preventDefault();
    e.stopPropagation();
    symversDrop.classList.add('over');
  });
  symversDrop.addEventListener('dragleave', () => symversDrop.classList.remove('over'));
  symversDrop.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    symversDrop.classList.remove('over');
    void readSymvers(e.dataTransfer?.files[0]);
  });
  run();
  return el(
    'div',
    { class: 'load-check' },
    el(
      'div',
      { class: 'card load-inputs' },
      el('label', { for: 'load-kernel', class: 'field-label' }, 'Target kernel: its vermagic or its release'),
      el('div', { class: 'row' }, kernel, own),
      el(
        'p',
        { class: 'hint', id: 'load-kernel-hint' },
        'A vermagic as ',
        el('code', {}, 'modinfo -F vermagic'),
        ' prints it for a module of that kernel (the trailing space counts), or ',
        el('code', {}, 'uname -r'),
        '.',
      ),
      symversInput,
      symversDrop,
      el('div', {}, symversClear),
      el('p', { class: 'field-label' }, 'Parameters ', el('a', { href: paramsLink }, 'edit')),
      el('pre', {}, params),
    ),
    result,
  );
}
