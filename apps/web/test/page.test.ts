// End to end: the built page (dist/) served on 127.0.0.1, in Debian's real Chromium driven by
// playwright-core. Screenshots of every view go to apps/web/test-results/.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const CHROMIUM = process.env.KMODKIT_CHROMIUM ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const fixtures = join(root, 'fixtures/modules/');
const shots = fileURLToPath(new URL('../test-results/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

// A developer without Chromium skips these tests; CI (which installs it) fails instead.
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}`);
if (haveChromium && !existsSync(join(dist, 'index.html'))) {
  throw new Error('apps/web/dist is missing: run `pnpm --filter @kmodkit/web build` first');
}

/** Debian's module tree (scripts/fetch-corpus.sh), or undefined when KMODKIT_SKIP_CORPUS is set. */
let corpusTree: string | undefined;
function corpus(): string | undefined {
  if (process.env.KMODKIT_SKIP_CORPUS && !process.env.CI) return undefined;
  corpusTree ??= execFileSync('bash', [join(root, 'scripts/fetch-corpus.sh'), 'amd64'], {
    encoding: 'utf8',
  }).trim();
  return corpusTree;
}
// The first fetch of the corpus downloads it, or waits for another run's fetch (flock).
const CORPUS_TIMEOUT = 600_000;
function findModule(tree: string, name: string): string {
  const out = execFileSync('find', [tree, '-name', name], { encoding: 'utf8' }).trim().split('\n')[0];
  if (!out) throw new Error(`${name} not in ${tree}`);
  return out;
}

let server: Server;
let base: string;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const problems: string[] = [];
const requests: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'kmodkit-web-'));

async function shot(name: string): Promise<void> {
  // From the top, so the sticky header is drawn where it belongs in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
async function view(name: string): Promise<void> {
  await page.click(`nav.views a[data-view="${name}"]`);
  await page.waitForSelector(`#view-${name}`);
}
// innerText, not textContent: what is shown, with table cells separated by tabs.
// biome-ignore lint/performance/useDomNodeTextContent: playwright's innerText is the rendered text
const text = (selector: string) => page.locator(selector).first().innerText();

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(shots, { recursive: true });
  server = createServer((req, res) => {
    const path = normalize(join(dist, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  userDataDir = mkdtempSync(join(tmpdir(), 'kmodkit-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(base);
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)('the web page in Chromium', () => {
  test('the first screen explains itself: title, one line, a drop zone, a file picker, the sample', async () => {
    expect(await text('h1')).toBe('See inside a Linux kernel module');
    expect(await text('.home .lede')).toContain('without a Linux machine');
    expect(await page.locator('#drop').isVisible()).toBe(true);
    expect(await text('#choose')).toBe('Choose files');
    expect(await page.locator('#sample').isVisible()).toBe(true);
    await shot('home');
  });

  test('keyboard: Tab reaches the sample button, its focus is visible, Enter opens it', async () => {
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'sample')) break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sample');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#module-name');
    expect(await text('#module-name')).toBe('kmodkit_test');
    expect(page.url()).toMatch(/#\/kmodkit_test\.ko\/overview$/);
    // The button is gone with the start page: the focus moves to the module's heading.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('module-name');
    // A view link keeps the focus when it is followed with Enter (the view is redrawn).
    await page.focus('nav.views a[data-view="symbols"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-symbols');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.view)).toBe('symbols');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-params');
    await page.focus('nav.views a[data-view="overview"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#summary');
  });

  test('the sample’s summary: every field of the card', async () => {
    const field = (f: string) => text(`#summary dd[data-field="${f}"]`);
    expect(await field('name')).toBe('kmodkit_test');
    expect(await field('description')).toBe('kmodkit test fixture: every parameter type and modinfo kind');
    expect(await field('authors')).toContain('kmodkit developers <kmodkit@example.invalid>');
    expect(await field('license')).toBe('GPL');
    expect(await field('version')).toBe('1.2.3');
    expect(await field('vermagic')).toContain('6.1.0-56-amd64 SMP preempt mod_unload modversions');
    expect(await field('architecture')).toBe('x86-64 · ELF64 · little-endian (EM_X86_64)');
    expect(await field('size')).toContain(`${readFileSync(join(fixtures, 'kmodkit_test.ko')).length} bytes`);
    expect(await field('compression')).toBe('none');
    expect(await field('signature')).toBe('not signed');
    expect(await field('softdeps')).toContain('crc32c');
    expect(await field('aliases')).toContain('5 aliases');
    expect(await field('firmware')).toBe('kmodkit/kmodkit_test-fw.bin');
    expect(await page.locator('#problems').count()).toBe(0);
    await shot('overview');
  });

  test('modinfo: kmod’s order, and "copy as modinfo output" is kmod 30’s output', async () => {
    await view('modinfo');
    expect(await page.locator('#modinfo tr').count()).toBeGreaterThan(30);
    await page.click('#copy-modinfo');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const golden = readFileSync(join(fixtures, 'golden/kmodkit_test.ko.modinfo.txt'), 'utf8');
    expect(copied).toBe(golden.replace(/^filename: +.*\n/, 'filename:       kmodkit_test.ko\n'));
    await shot('modinfo');
  });

  test('parameters: one row each, perm as 0644 and rw-r--r--, sizes, descriptions', async () => {
    await view('params');
    const rows = await page.locator('#params tbody tr').allInnerTexts();
    expect(rows).toHaveLength(19);
    const names = rows.map((r) => r.split('\t')[0]);
    expect(new Set(names).size).toBe(19);
    const byte = rows.find((r) => r.startsWith('p_byte'))!;
    expect(byte).toContain('0644 rw-r--r--');
    expect(byte).toContain('A byte (unsigned char)');
    expect(rows.find((r) => r.startsWith('p_string'))).toContain('16 B buffer');
    expect(rows.find((r) => r.startsWith('p_int_array'))).toContain('array of int (max 4)');
    expect(rows.find((r) => r.startsWith('p_ushort'))).toContain('not in sysfs');
    // No raw parm/parmtype strings anywhere on this view.
    expect(await text('#view-params')).not.toContain('parmtype');
  });

  test('the builder makes a valid string, its commands and a modprobe.d line', async () => {
    await page.fill('input[name="p_charp"]', 'two words');
    await page.check('input[name="p_bool"]');
    await page.fill('input[name="p_int_array[0]"]', '1');
    await page.click('[data-param="p_int_array"] button:has-text("+ value")');
    await page.fill('input[name="p_int_array[1]"]', '-2');
    await page.fill('input[name="p_hexint"]', '0x10');
    await page.focus('input[name="p_byte"]');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await page.inputValue('input[name="p_byte"]')).toBe('2');
    const args = 'p_byte=2 p_hexint=0x10 p_charp="two words" p_bool=Y p_int_array=1,-2';
    await expect.poll(() => text('#param-string')).toBe(args);
    expect(await text('#cmd-insmod')).toBe(
      `insmod kmodkit_test.ko p_byte=2 p_hexint=0x10 'p_charp="two words"' p_bool=Y p_int_array=1,-2`,
    );
    expect(await text('#cmd-options')).toBe(`options kmodkit_test ${args}`);
    expect(await text('#param-status')).toContain('accepts');
    await page.click('#copy-options');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`options kmodkit_test ${args}`);
    await shot('params');
  });

  test('an invalid value shows the kernel’s errno and log line, live', async () => {
    await page.fill('input[name="p_byte"]', '300');
    await expect
      .poll(() => text('[data-issue-for="p_byte"]'))
      .toContain('ERANGE (Numerical result out of range)');
    expect(await text('[data-issue-for="p_byte"]')).toContain(
      "kmodkit_test: `300' invalid for parameter `p_byte'",
    );
    await page.fill('input[name="p_string"]', 'sixteen bytes!!!');
    await expect.poll(() => text('#param-status')).toContain('init_module(2) would fail with ENOSPC');
    await shot('params-invalid');
    await page.click('[data-param="p_string"] button:has-text("clear")');
    await page.fill('input[name="p_byte"]', '255');
    await expect.poll(() => text('#param-status')).toContain('accepts');
  });

  test('symbols: exports with GPL, namespace and CRC; imports with their __versions CRCs; search', async () => {
    await view('symbols');
    const exports = await page.locator('#exports tbody tr').allInnerTexts();
    expect(exports).toHaveLength(3);
    expect(exports.find((r) => r.startsWith('kmodkit_test_ns_name'))).toMatch(
      /GPL only\tKMODKIT\t0x[0-9a-f]{8}/,
    );
    const imports = page.locator('#imports tbody tr');
    expect(await imports.count()).toBeGreaterThan(3);
    expect(await text('#imports tbody tr')).toMatch(/0x[0-9a-f]{8}/);
    await page.fill('input[aria-controls="imports"]', 'printk');
    await expect
      .poll(() => imports.allInnerTexts())
      .toEqual([expect.stringMatching(/^_printk\t0x[0-9a-f]{8}/)]);
    await shot('symbols');
  });

  test('sections: a treemap and the table', async () => {
    await view('sections');
    await page.waitForSelector('#section-chart svg g.tile');
    expect(await page.locator('#section-chart g.tile').count()).toBeGreaterThan(5);
    expect(await text('#section-chart figcaption')).toContain('code');
    const rows = await page.locator('#sections tbody tr').allInnerTexts();
    expect(rows.some((r) => /\.text\tSHT_PROGBITS\tAX\t/.test(r))).toBe(true);
    await page.click('#sections th:nth-child(6) button');
    await page.click('#sections th:nth-child(6) button');
    expect(await page.getAttribute('#sections th:nth-child(6)', 'aria-sort')).toBe('descending');
    await shot('sections');
  });

  test('will it load: the kernel, Module.symvers and the builder’s parameters reach the check', async () => {
    await view('load');
    expect(await text('#load-params')).toContain('p_byte=255');
    await page.click('#use-own-vermagic');
    expect(await page.inputValue('#load-kernel')).toBe('6.1.0-56-amd64 SMP preempt mod_unload modversions ');
    const symvers = join(work, 'Module.symvers');
    writeFileSync(symvers, '0x12345678\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n');
    await page.setInputFiles('#symvers-file', symvers);
    await expect.poll(() => text('#symvers-status')).toContain('read from Module.symvers');
    expect(await page.locator('#symvers-clear').isVisible()).toBe(true);
    expect(await page.locator('#load-result h3').count()).toBe(1);
    await shot('load');
  });

  // @kmodkit/loader/predict behind src/load-check.ts: the same answers as kmodkit check.
  describe('the prediction', () => {
    test('a matching vermagic: it would load', async () => {
      // Without the made-up Module.symvers of the test above (its _printk CRC is wrong on purpose).
      await page.click('#symvers-clear');
      await page.fill('#load-kernel', '6.1.0-56-amd64 SMP preempt mod_unload modversions ');
      await expect.poll(() => text('#load-verdict')).toBe('It would load');
      expect(await page.locator('[data-check="vermagic"].ok').count()).toBe(1);
      await shot('load-ok');
    });
    test('a mismatching vermagic: ENOEXEC and the kernel’s "version magic" message', async () => {
      // With __versions the kernel compares only what follows the release (same_magic), so change a flag.
      await page.fill('#load-kernel', '6.1.0-56-amd64 SMP mod_unload modversions ');
      await expect.poll(() => text('#load-verdict')).toContain('ENOEXEC');
      expect(await text('#load-reason')).toContain('version magic');
      await shot('load-mismatch');
    });
  });

  test('the fragment keeps the view: a reload opens the sample at the same view', async () => {
    await page.goto(`${base}#/kmodkit_test.ko/symbols`);
    await page.reload();
    await page.waitForSelector('#view-symbols');
    expect(await page.getAttribute('nav.views a[aria-current="page"]', 'data-view')).toBe('symbols');
  });

  test('a file dropped on the page opens: the drop zone lights up, dependencies and namespaces show', async () => {
    await page.goto(`${base}#/`);
    const b64 = readFileSync(join(fixtures, 'kmodkit_dep.ko')).toString('base64');
    const files = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'kmodkit_dep.ko'));
      return transfer;
    }, b64);
    await page.dispatchEvent('#drop', 'dragenter', { dataTransfer: files });
    await page.dispatchEvent('#drop', 'dragover', { dataTransfer: files });
    expect(await page.evaluate(() => document.body.classList.contains('dragging'))).toBe(true);
    await shot('home-dragging');
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: files });
    await page.waitForSelector('.tab-link:text-is("kmodkit_dep.ko")');
    expect(await text('#summary dd[data-field="depends"]')).toBe('kmodkit_test');
    expect(await text('#summary dd[data-field="namespaces"]')).toBe('KMODKIT');
    expect(await page.evaluate(() => document.body.classList.contains('dragging'))).toBe(false);
  });

  test(
    'a real Debian module and compressed ones, opened together as tabs',
    async () => {
      const tree = corpus();
      if (tree === undefined) return;
      const e1000e = findModule(tree, 'e1000e.ko');
      const xz = join(work, 'e1000e.ko.xz');
      execFileSync('sh', ['-c', `xz --check=crc32 --lzma2=dict=1MiB -c '${e1000e}' > '${xz}'`]);
      const before = await page.locator('.tab-link').allInnerTexts();
      await page.setInputFiles('#file', [e1000e, xz, join(fixtures, 'kmodkit_test.ko.zst')]);
      await page.waitForSelector('.tab-link:text-is("kmodkit_test.ko.zst")');
      expect(await page.locator('.tab-link').allInnerTexts()).toEqual([
        ...before,
        'e1000e.ko',
        'e1000e.ko.xz',
        'kmodkit_test.ko.zst',
      ]);
      expect(requests.some((u) => /decompress/.test(u))).toBe(true);
      await page.click('.tab-link:text-is("e1000e.ko.xz")');
      await page.waitForSelector('#summary');
      const field = (f: string) => text(`#summary dd[data-field="${f}"]`);
      expect(await field('name')).toBe('e1000e');
      expect(await field('compression')).toBe('xz');
      // kmod's modinfo is the oracle for the signer and key.
      const kmod = (f: string) => execFileSync('modinfo', ['-F', f, e1000e], { encoding: 'utf8' }).trim();
      expect(await field('signature')).toBe(
        `PKCS#7, signed by ${kmod('signer')} with ${kmod('sig_hashalgo')}/rsa, key ${kmod('sig_key')}`,
      );
      expect(await field('size')).toContain(`${readFileSync(e1000e).length} bytes`);
      expect(await field('license')).toBe('GPL v2');
      await shot('e1000e-overview');
      await view('params');
      const params = await page.locator('#params tbody tr').allInnerTexts();
      // e1000e's E1000_PARAM: module_param_array_named(X, X, int, &num_X, 0) of E1000_MAX_NIC + 1 ints.
      expect(params.find((r) => r.startsWith('IntMode'))).toMatch(
        /array of int \(max 33\)\t0000 --------- not in sysfs/,
      );
      await page.fill('input[name="IntMode[0]"]', '3');
      await expect.poll(() => text('#cmd-modprobe')).toBe('modprobe e1000e IntMode=3');
      await view('symbols');
      const imports = page.locator('#imports tbody tr');
      expect(await imports.count()).toBe(50);
      expect(await text('.table-block:has(#imports) .count')).toMatch(/^1–50 of 190$/);
      await page.fill('input[aria-controls="imports"]', 'pci_enable');
      for (const row of await imports.allInnerTexts()) expect(row).toMatch(/^pci_enable\w*\t0x[0-9a-f]{8}/);
      await shot('e1000e-symbols');
      // A tab opens at the view that is open.
      await page.click('.tab-link:text-is("kmodkit_test.ko.zst")');
      await page.waitForSelector('#view-symbols');
      await view('overview');
      expect(await text('#summary dd[data-field="compression"]')).toBe('zstd');
    },
    CORPUS_TIMEOUT,
  );

  test('a corrupt file shows its error with the byte offset and errno; a closed tab is gone', async () => {
    const cut = join(work, 'cut.ko');
    writeFileSync(cut, readFileSync(join(fixtures, 'kmodkit_test.ko')).subarray(0, 3000));
    const cutXz = join(work, 'cut.ko.xz');
    writeFileSync(cutXz, readFileSync(join(fixtures, 'kmodkit_test.ko.xz')).subarray(0, 4000));
    await page.setInputFiles('#file', cutXz);
    await page.waitForSelector('#error');
    expect(await text('#error')).toContain('DECOMPRESS_TRUNCATED');
    expect(await text('#error')).toMatch(/at byte 0x[0-9a-f]+ \(\d+\)/);
    await shot('error-cut-xz');
    const junk = join(work, 'junk.ko');
    writeFileSync(junk, 'this is not a kernel module\n');
    await page.setInputFiles('#file', [cut, junk]);
    await page.waitForSelector('#error');
    expect(await text('#error')).toContain('init_module(2) would fail with ENOEXEC (Exec format error)');
    expect(await text('#error')).toContain('at byte 0x0');
    await shot('error-not-elf');
    await page.click('.tab-link:text-is("cut.ko")');
    await page.waitForSelector('#problems');
    expect(await text('#problems')).toMatch(/init_module\(2\) fails with ENOEXEC/);
    expect(await text('#problems')).toMatch(/at byte 0x[0-9a-f]+/);
    await shot('error-truncated');
    const before = await page.locator('.tab').count();
    await page.click('button[aria-label="Close cut.ko"]');
    expect(await page.locator('.tab').count()).toBe(before - 1);
    expect(await page.locator('.tab-link:text-is("cut.ko")').count()).toBe(0);
  });

  test('a 375-pixel-wide phone: nothing wider than the screen, every view readable', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}#/kmodkit_test.ko/overview`);
    await page.reload();
    await page.waitForSelector('#summary');
    for (const v of ['overview', 'params', 'symbols', 'sections', 'load', 'modinfo'] as const) {
      if (v !== 'overview') await view(v);
      if (v === 'sections') await page.waitForSelector('#section-chart svg');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, v).toBeLessThanOrEqual(375);
      await shot(`phone-${v}`);
    }
    await page.goto(`${base}#/`);
    await shot('phone-home');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('dark mode follows the system', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${base}#/kmodkit_test.ko/params`);
    await page.waitForSelector('#params');
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(bg).toBe('rgb(15, 18, 23)');
    await shot('dark-params');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('offline once loaded: the page, the sample and the decompressors come from the cache', async () => {
    await page.goto(base);
    await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, {
      timeout: 20_000,
    });
    await context.setOffline(true);
    try {
      await page.reload();
      await page.click('#sample');
      await page.waitForSelector('#module-name');
      await page.setInputFiles('#file', join(fixtures, 'kmodkit_test.ko.xz'));
      await page.waitForSelector('.tab-link:text-is("kmodkit_test.ko.xz")');
      expect(await text('#summary dd[data-field="compression"]')).toBe('xz');
      await view('sections');
      await page.waitForSelector('#section-chart svg');
    } finally {
      await context.setOffline(false);
    }
  });

  test(
    'a 5 MB module: time to read it in the page (reported, not asserted)',
    async () => {
      const tree = corpus();
      if (tree === undefined) return;
      const big = findModule(tree, 'nouveau.ko');
      const size = readFileSync(big).length;
      // Twice: the first read includes the JIT's warm-up, the second is the steady state.
      const times: number[] = [];
      for (const name of ['nouveau.ko', 'nouveau.ko (2)']) {
        await page.setInputFiles('#file', big);
        await page.waitForSelector(`.tab-link:text-is("${name}")`);
        times.push(Number(/in ([\d.]+) ms/.exec(await text('#read-time'))?.[1]));
      }
      expect(times.every((ms) => ms > 0)).toBe(true);
      console.log(
        `nouveau.ko (${(size / 1e6).toFixed(1)} MB): read, validated and summarised in ${times[0]} ms, then ${times[1]} ms`,
      );
    },
    CORPUS_TIMEOUT,
  );

  test('the bundle: the decompressors and the chart are separate chunks, not preloaded', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(html).not.toMatch(/decompress|section-chart/);
    const assets = readdirSync(join(dist, 'assets'));
    expect(assets.some((a) => /^decompress-.*\.js$/.test(a))).toBe(true);
    expect(assets.some((a) => /^section-chart-.*\.js$/.test(a))).toBe(true);
    const main = assets.find((a) => /^index-.*\.js$/.test(a))!;
    // fzstd's and the xz decoder's error texts live only in the lazy chunk.
    expect(readFileSync(join(dist, 'assets', main), 'utf8')).not.toContain('DECOMPRESS_CORRUPT');
  });

  test('no errors in the console during all of this', () => {
    expect(problems).toEqual([]);
  });
});
