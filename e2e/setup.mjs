// Sets up a society for the browser tests with the shipped binary, as an operator would:
// `kenpo demo` (a small generated society), accounts by `kenpo user add`, two servers (one with
// a 5-second idle timeout for the expiry check), and the files the import screens are given.
// SQLite by default; PostgreSQL when KENPO_E2E_POSTGRES names a server (a fresh database).

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = process.env.KENPO_BIN || new URL('../target/debug/kenpo', import.meta.url).pathname;

function kenpo(env, args) {
  return execFileSync(BIN, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

const ADMIN = ['--as', 'staff:privacy_officer:e2e-setup', '--purpose', 'admin.basic_material'];

/** Starts `kenpo serve` on a free loopback port; resolves with its base URL. */
function serve(env, data, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['--data-dir', data, 'serve', '--listen', '127.0.0.1:0', ...extra], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('kenpo serve did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      const m = line.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[0], child });
      }
    });
    child.on('exit', (code) => reject(new Error(`kenpo serve exited with ${code}`)));
  });
}

/**
 * One UKE file holding every 医科 receipt of a generated society's year, under the first file's
 * IR record: large enough that an import runs for seconds, so the progress screen is seen.
 * Under one IR the receipts of different clinics can be the same bill (same month, card, lines
 * and amounts), which the import rightly refuses as a duplicate: only the first is kept. GO
 * (件数, 総合計点数) is recounted from the receipts kept (総合計点数 = the sum of the HO 合計点数).
 */
function mergeUke(dir) {
  const files = [];
  for (const month of readdirSync(join(dir, 'receipts')).sort()) {
    for (const f of readdirSync(join(dir, 'receipts', month)).sort()) {
      if (f.startsWith('medical_')) files.push(join(dir, 'receipts', month, f));
    }
  }
  let ir = null;
  const blocks = [];
  for (const f of files) {
    const text = readFileSync(f).toString('latin1').replace(/\x1a$/, '');
    let block = null;
    for (const line of text.split('\r\n')) {
      if (!line) continue;
      if (line.startsWith('IR,')) {
        ir ??= line;
      } else if (line.startsWith('RE,')) {
        block = [line];
        blocks.push(block);
      } else if (line.startsWith('GO,')) {
        block = null;
      } else if (block) {
        block.push(line);
      }
    }
  }
  const seen = new Set();
  const kept = [];
  let points = 0;
  for (const b of blocks) {
    // The bill without names or the receipt's number: 診療年月 and every line after RE.
    const key = [b[0].split(',')[3], ...b.slice(1)].join('\n');
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(b);
    const ho = b.find((l) => l.startsWith('HO,'));
    points += Number(ho.split(',')[5]);
  }
  const lines = [ir, ...kept.flat(), `GO,${kept.length},${points},99`];
  return { bytes: Buffer.from(lines.join('\r\n') + '\r\n\x1a', 'latin1'), count: kept.length };
}

export async function setup() {
  const work = mkdtempSync(join(tmpdir(), 'kenpo-e2e-'));
  const data = join(work, 'data');
  const env = { ...process.env };
  delete env.KENPO_VAULT_KEY;
  delete env.KENPO_DATABASE_URL;
  env.KENPO_LOG = 'warn';
  const pg = process.env.KENPO_E2E_POSTGRES;
  if (pg) {
    const db = `kenpo_e2e_${process.pid}`;
    execFileSync('psql', [`${pg}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${db}`]);
    execFileSync('psql', [`${pg}/postgres`, '-qc', `CREATE DATABASE ${db}`]);
    env.KENPO_DATABASE_URL = `${pg}/${db}`;
  }
  const withData = { ...env };
  // Every command names the data folder; the database follows KENPO_DATABASE_URL where set.
  const run = (args) => kenpo(withData, ['--data-dir', data, ...args]);
  run(['demo', '--members', '300']);

  const env2 = withData;
  const add = (login, kind, name) => {
    const out = run(['--json', 'user', 'add', login, ...kind, '--name', name, ...ADMIN]);
    const issued = JSON.parse(out);
    return { login, code: issued.onetime_code, totp: issued.totp_secret };
  };
  const accounts = {
    benefits: add('ben-e2e', ['--role', 'benefits'], '給付 花子'),
    review: add('review-e2e', ['--role', 'receipt_review'], '点検 一郎'),
    health: add('health-e2e', ['--role', 'health'], '保健 次郎'),
    officer: add('officer-e2e', ['--role', 'privacy_officer'], '管理 三郎'),
    numbers: add('numbers-e2e', ['--role', 'mynumber_officer'], '番号 四郎'),
    eligibility: add('elig-e2e', ['--role', 'eligibility'], '適用 五郎'),
    member: add('member-e2e', ['--member', '1'], '本人 太郎'),
    member2: add('member2-e2e', ['--member', '2'], '本人 花子'),
  };
  const person = JSON.parse(
    run(['--json', 'member', 'show', '--id', '1', '--as', 'staff:eligibility:e2e-setup', '--purpose', 'eligibility.management']),
  );

  // A member whose record the demo's year of filings changed: the first 資格喪失 of a 本人 in the
  // オンライン資格確認 outbox (every event queues a row there), else the first person with a row.
  const outbox = JSON.parse(
    run(['--json', 'eligibility', 'outbox', 'list', '--as', 'staff:eligibility:e2e-setup', '--purpose', 'online.register']),
  );
  const leaver = outbox.find((r) => r.change === 'lose' && r.items.family === 1) ?? outbox[0];
  if (!leaver) throw new Error('the demo applied no filings: the outbox is empty');

  // A good file (another generated society's year of 医科 receipts) and a broken one.
  const gen = join(work, 'gen');
  kenpo(env, ['generate', '--members', '3000', '--seed', '5', '--out', gen]);
  const merged = mergeUke(gen);
  const good = join(work, 'NENKAN_IKA.UKE');
  writeFileSync(good, merged.bytes);
  // The broken file: a small real file with the 診療年月 of its first receipt (line 2,
  // field 4) made not a month.
  const month = readdirSync(join(gen, 'receipts')).sort()[0];
  const small = readdirSync(join(gen, 'receipts', month)).find((f) => f.startsWith('medical_'));
  const lines = readFileSync(join(gen, 'receipts', month, small)).toString('latin1').split('\r\n');
  const re = lines[1].split(',');
  re[3] = '20X604';
  lines[1] = re.join(',');
  const bad = join(work, 'BROKEN.UKE');
  writeFileSync(bad, Buffer.from(lines.join('\r\n'), 'latin1'));

  // Another society's 特定健診 archive (a ZIP upload) and roster (refused here: its 事業所 numbers
  // are the demo's with other names — the refusal names line and column).
  const checkupZip = join(gen, 'checkups', readdirSync(join(gen, 'checkups')).sort()[0]);
  const roster = join(gen, 'roster.csv');

  const main = await serve(env2, data);
  const short = await serve(env2, data, ['--idle-seconds', '5']);
  return {
    work,
    base: main.base,
    shortBase: short.base,
    accounts,
    person,
    changed: leaver.person_id,
    good: { path: good, count: merged.count, size: statSync(good).size },
    bad: { path: bad, line: 2 },
    checkupZip,
    roster,
    stop() {
      main.child.kill();
      short.child.kill();
      if (pg) {
        try {
          execFileSync('psql', [`${pg}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${env.KENPO_DATABASE_URL.split('/').pop()} WITH (FORCE)`]);
        } catch {
          /* best effort */
        }
      }
    },
  };
}
