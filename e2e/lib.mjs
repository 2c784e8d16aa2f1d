// Shared helpers for Kenpo's browser end-to-end tests.
// Drives the system's Debian Chromium through playwright-core (never a
// downloaded browser). Plain ESM, no build step.

import { createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root: the parent of e2e/. */
export const REPO = resolve(here, '..');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium's own background connections are refused by the
  // closed network and slow or break start-up.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch headless Chromium (env CHROMIUM overrides the binary). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** A page in a fresh context: 1280×800, ja-JP. */
export async function newPage(browser, { bypassCSP = false } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'ja-JP',
    bypassCSP,
  });
  return context.newPage();
}

/** RFC 4648 base32 decode (case-insensitive, padding/spaces ignored). */
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.toUpperCase().replace(/[\s=]/g, '');
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character: ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP: HMAC-SHA-1, 30 s step, `digits` digits (default 6). */
export function totp(base32Secret, unixSeconds = Date.now() / 1000, digits = 6) {
  const counter = Math.floor(unixSeconds / 30);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(base32Secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

let axeSource;
async function axeSourceText() {
  if (!axeSource) {
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  return axeSource;
}

/**
 * Run axe-core (WCAG 2.0/2.1 A+AA) in the page. Throws if any violation is
 * 'serious' or 'critical'; otherwise returns all violations.
 *
 * axe is injected with page.evaluate(source): CDP Runtime.evaluate is not
 * subject to the page's Content-Security-Policy, so this works under
 * `default-src 'none'` where a <script> tag would be blocked.
 */
export async function checkA11y(page, label = page.url()) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(await axeSourceText());
  }
  const results = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }),
  );
  const violations = results.violations;
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const lines = bad.map((v) => {
      const targets = v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(', ');
      const more = v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : '';
      return `  - ${v.id} [${v.impact}] ${targets}${more}: ${v.help}`;
    });
    throw new Error(`a11y violations on ${label}:\n${lines.join('\n')}`);
  }
  return violations;
}

/** A PNG of the page (at most 2,000 px tall) to <repo>/docs/screens/<name>.png (env SCREENS_DIR overrides). */
export async function shot(page, name) {
  const dir = process.env.SCREENS_DIR || join(REPO, 'docs', 'screens');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // The whole page, cut at 2,000 px: a long list shows its start, and the images stay small.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const width = page.viewportSize()?.width ?? 1280;
  await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width, height: Math.min(height, 2000) } });
  return path;
}
