// Self-test for lib.mjs: `node selftest.mjs` (exit 0 = harness works).
// Serves two tiny pages under Kenpo's strict CSP, drives them in headless
// Chromium, and checks TOTP, axe injection under CSP, and screenshots.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkA11y, launch, newPage, shot, totp } from './lib.mjs';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'";

const GOOD = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<title>被保険者検索 — Kenpo</title>
<link rel="stylesheet" href="/style.css">
</head><body>
<header><p>Kenpo 健康保険組合</p></header>
<main>
<h1>被保険者検索</h1>
<form method="get" action="/search">
  <label for="q">記号・番号</label>
  <input id="q" name="q" type="text" autocomplete="off">
  <button type="submit">検索</button>
</form>
<table>
  <caption>検索結果</caption>
  <thead><tr><th scope="col">記号</th><th scope="col">番号</th><th scope="col">氏名</th></tr></thead>
  <tbody><tr><td>101</td><td>42</td><td>山田 太郎</td></tr>
  <tr><td>101</td><td>43</td><td>佐藤 花子</td></tr></tbody>
</table>
</main>
<script>document.title = 'CSP BROKEN';</script>
</body></html>`;

const BAD = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>悪い例</title>
<link rel="stylesheet" href="/style.css"></head><body><main>
<h1>悪い例</h1>
<form method="post" action="/x"><input name="unlabelled" type="text"></form>
<p class="faint">薄すぎる文字</p>
</main></body></html>`;

const CSS = `body{font-family:sans-serif;color:#111;background:#fff;margin:2rem}
table{border-collapse:collapse}th,td{border:1px solid #666;padding:.3rem .6rem}
.faint{color:#ccc}`;

function serve() {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const body = { '/': GOOD, '/bad': BAD, '/style.css': CSS }[path];
    const type = path.endsWith('.css') ? 'text/css' : 'text/html; charset=utf-8';
    res.writeHead(body ? 200 : 404, { 'content-type': type, 'content-security-policy': CSP });
    res.end(body ?? 'not found');
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

const ms = (t0) => `${Math.round(performance.now() - t0)} ms`;

async function main() {
  // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890".
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, 59, 8), '94287082');
  assert.equal(totp(secret, 59), '287082');
  assert.equal(totp(secret, 1111111109), '081804');
  assert.equal(totp(secret.toLowerCase(), 1111111109), '081804');
  assert.equal(totp(secret, 2000000000, 8), '69279037');
  console.log('ok totp RFC 6238 vectors');

  // Without a Japanese font Chromium renders tofu boxes in screenshots.
  let jaFonts = '';
  try {
    jaFonts = execFileSync('fc-list', [':lang=ja', 'family'], { encoding: 'utf8' }).trim();
  } catch {}
  if (jaFonts) console.log(`ok Japanese font present (${jaFonts.split('\n')[0]})`);
  else console.log('WARN no Japanese font (apt-get install fonts-ipafont-gothic): screenshots show tofu');

  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  let browser;
  try {
    let t0 = performance.now();
    browser = await launch();
    console.log(`ok launch chromium ${browser.version()} (${ms(t0)})`);

    t0 = performance.now();
    const page = await newPage(browser);
    const resp = await page.goto(base + '/');
    assert.equal(resp.headers()['content-security-policy'], CSP);
    console.log(`ok page load under CSP (${ms(t0)})`);
    // The inline <script> must have been blocked, and the stylesheet applied.
    assert.equal(await page.title(), '被保険者検索 — Kenpo', 'inline script ran: CSP not enforced');
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.body).fontFamily),
      'sans-serif',
    );
    console.log('ok CSP enforced (inline script blocked, self stylesheet applied)');

    t0 = performance.now();
    const v = await checkA11y(page, 'good page');
    console.log(`ok axe on good page: 0 serious/critical, ${v.length} minor (${ms(t0)})`);
    t0 = performance.now();
    await checkA11y(page, 'good page again');
    console.log(`ok axe re-run (already injected) (${ms(t0)})`);

    const dir = await mkdtemp(join(tmpdir(), 'kenpo-screens-'));
    process.env.SCREENS_DIR = dir;
    t0 = performance.now();
    const png = await shot(page, 'selftest-good');
    const size = (await stat(png)).size;
    assert.ok(size > 1000, `screenshot too small: ${size}`);
    console.log(`ok screenshot ${png} (${size} bytes, ${ms(t0)})`);

    const bad = await newPage(browser);
    await bad.goto(base + '/bad');
    let err;
    try {
      await checkA11y(bad, 'bad page');
    } catch (e) {
      err = e;
    }
    assert.ok(err, 'checkA11y did not throw on the bad page');
    assert.match(err.message, /\blabel\b/);
    assert.match(err.message, /\bcolor-contrast\b/);
    console.log('ok axe on bad page throws:\n' + err.message.replace(/^/gm, '    '));
  } finally {
    await browser?.close();
    server.close();
  }
}

const t = performance.now();
main().then(
  () => {
    console.log(`selftest passed (${ms(t)})`);
    process.exit(0);
  },
  (e) => {
    console.error('selftest FAILED: ' + (e?.stack || e));
    process.exit(1);
  },
);
