// End to end: the built page in Debian's real Chromium, driven by playwright-core.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const CHROMIUM = process.env.KMODKIT_CHROMIUM ?? '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/modules/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

// CI installs Chromium; a developer without it skips these tests (KMODKIT_CHROMIUM points elsewhere).
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}`);

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!haveChromium) return;
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
  browser = await chromium.launch({
    executablePath: CHROMIUM,
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
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe.skipIf(!haveChromium)('the web page', () => {
  test('shows a dropped module: summary, .modinfo, parameters, exports', async () => {
    await page.setInputFiles('#file', join(fixtures, 'kmodkit_test.ko.xz'));
    await expect.poll(() => page.textContent('#summary')).toContain('kmodkit_test');
    expect(await page.textContent('#summary')).toContain('xz');
    expect(await page.textContent('#modinfo')).toContain('srcversion');
    expect(await page.locator('#params tbody tr').count()).toBeGreaterThan(10);
    expect(await page.textContent('#exports')).toContain('kmodkit_test_ns_name');
  });

  test('builds a parameter string and reports what the kernel would refuse', async () => {
    await page.fill('input[name="p_charp"]', 'two words');
    await expect
      .poll(() => page.textContent('#command'))
      .toBe('insmod kmodkit_test.ko.xz p_charp="two words"');
    await page.fill('input[name="p_int"]', '12abc');
    await expect.poll(() => page.textContent('#param-problems')).toContain('p_int: EINVAL');
  });

  test('a file that is not a module gets a clear error, not a blank page', async () => {
    await page.setInputFiles('#file', {
      name: 'junk.ko',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('junk'),
    });
    await expect.poll(() => page.textContent('#error')).toContain('ENOEXEC');
  });
});
