// Throughput of the tokenizer and of validation over the built dist (`pnpm bench`: vitest bench, after the
// build). MB/s = hz × bytes / 1e6. vitest.config.ts keeps dist/ out of vite's transform, which would turn
// every imported binding into a property lookup and measure that instead.
import { bench, describe } from 'vitest';
import { type DeclaredParam, formatArgs, parseArgs, parseValue, validateArgs } from '../dist/index.js';

const WORDS = [
  'BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64',
  'root=UUID=8c4b6f9e-2f6d-4d1a-9a43-3c1f2b7e5d10',
  'ro',
  'quiet',
  'console=ttyS0,115200n8',
  'i915.enable_psr=0',
  'nvme_core.default_ps_max_latency_us=0',
  'snd-hda-intel.model=auto',
  'usbcore.autosuspend=-1',
  'dyndbg="file drivers/usb/core/hub.c +p"',
  'systemd.unit=multi-user.target',
  'mitigations=auto,nosmt',
  'intel_iommu=on',
  'amdgpu.ppfeaturemask=0xffffffff',
  'module_blacklist=nouveau,radeon',
];

function commandLine(bytes: number, words: readonly string[]): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += (out ? ' ' : '') + words[i % words.length];
  return out.slice(0, bytes);
}

const ASCII_4K = commandLine(4096, WORDS);
const UTF8_4K = commandLine(4096, [...WORDS, 'label="café crème"', 'name=Grüße']);
const BYTES_4K = new TextEncoder().encode(ASCII_4K);

const DECLARED: DeclaredParam[] = [
  { name: 'debug', type: 'int' },
  { name: 'enable', type: 'bool' },
  { name: 'mode', type: 'charp' },
  { name: 'ids', type: 'array:ushort:8' },
  { name: 'mask', type: 'hexint' },
  { name: 'label', type: 'string:32' },
  { name: 'timeout_ms', type: 'ulong' },
];
const TYPICAL = Array.from(
  { length: 100 },
  (_, i) =>
    `debug=${i % 4} enable${i % 3 ? '=n' : ''} mode=${i % 2 ? 'fast' : '"very slow"'} ids=${i},${i + 1},0x${i.toString(16)} mask=0x${(i * 4099).toString(16)} label=dev${i} timeout-ms=${i * 1000}`,
);
const PARSED_4K = parseArgs(ASCII_4K).args;
// Long runs with warm-up: the machine is shared, and the JIT needs the warm-up.
const OPTIONS = { time: 2000, warmupTime: 500 };

describe('tokenizer (4 KiB command line)', () => {
  bench(
    'parseArgs, ASCII string',
    () => {
      parseArgs(ASCII_4K);
    },
    OPTIONS,
  );
  bench(
    'parseArgs, UTF-8 string',
    () => {
      parseArgs(UTF8_4K);
    },
    OPTIONS,
  );
  bench(
    'parseArgs, Uint8Array',
    () => {
      parseArgs(BYTES_4K);
    },
    OPTIONS,
  );
  bench(
    'formatArgs of its arguments',
    () => {
      formatArgs(PARSED_4K);
    },
    OPTIONS,
  );
});

describe('validation (100 typical parameter strings)', () => {
  bench(
    'validateArgs × 100',
    () => {
      for (const text of TYPICAL) validateArgs(text, DECLARED);
    },
    OPTIONS,
  );
  bench(
    'parseValue int × 100',
    () => {
      for (let i = 0; i < 100; i++) parseValue('int', '0x7fff');
    },
    OPTIONS,
  );
});
