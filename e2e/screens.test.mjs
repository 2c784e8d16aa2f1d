// The screens in real headless Chromium against `kenpo serve` (the shipped binary, a generated
// society): each step is what a society's staff or a member does, with the page's
// accessibility checked by axe-core (0 serious or critical violations) and a screenshot taken
// into docs/screens/ (SCREENS_DIR overrides; the PostgreSQL run writes elsewhere).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, launch, newPage, shot, totp } from './lib.mjs';
import { setup } from './setup.mjs';

let env;
let browser;
const pages = {};

before(async () => {
  env = await setup();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  env?.stop();
});

/** Checks accessibility, then takes the screenshot. */
async function look(page, name) {
  await checkA11y(page, name);
  await shot(page, name);
}

/** Sets the first password with the one-time code (the activation screen). */
async function activate(page, account, password) {
  await page.goto(`${env.base}/activate`);
  await page.getByLabel('ログインID').fill(account.login);
  await page.getByLabel('ワンタイムコード（通知書に記載）').fill(account.code);
  await page.getByLabel('新しいパスワード（12〜128文字）').fill(password);
  await page.getByLabel('新しいパスワード（確認）').fill(password);
  await page.getByRole('button', { name: '設定する' }).click();
  await page.getByText('パスワードを設定しました').waitFor();
}

/** Logs in on `base`, with the TOTP code where the account has a secret. */
async function login(page, account, password, base = env.base) {
  await page.goto(`${base}/login`);
  await page.getByLabel('ログインID').fill(account.login);
  await page.getByLabel('パスワード').fill(password);
  if (account.totp) await page.getByLabel(/確認コード/).fill(totp(account.totp));
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForLoadState();
}

/** Follows a link of the menu bar. */
async function nav(page, name) {
  await page.getByRole('navigation', { name: 'メニュー' }).getByRole('link', { name }).click();
  await page.waitForLoadState();
}

/** Chooses the purpose in force in the header. */
async function choosePurpose(page, id) {
  await page.locator('#purpose-select').selectOption(id);
  await page.getByRole('button', { name: '変更' }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator('#current-purpose').textContent(), id);
}

const PASSWORD = 'correct horse battery staple';

test('login: activation, a refused login without the second factor, then login with it', async () => {
  const page = await newPage(browser);
  pages.benefits = page;
  await page.goto(`${env.base}/`);
  assert.match(page.url(), /\/login/, 'a page without a session goes to the login screen');
  await look(page, '01-login');
  await page.goto(`${env.base}/activate`);
  await look(page, '02-activation');
  await activate(page, env.accounts.benefits, PASSWORD);
  await look(page, '02-activation-done');

  // 給付担当 reads 傷病名 (要配慮個人情報): the password alone is not enough.
  await page.goto(`${env.base}/login`);
  await page.getByLabel('ログインID').fill(env.accounts.benefits.login);
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByText('2段階認証が必要です').waitFor();
  assert.match(page.url(), /\/login$/);

  await login(page, env.accounts.benefits, PASSWORD);
  assert.match(page.url(), /\/menu$/);
  assert.equal(await page.locator('#current-user').textContent(), '給付 花子');
  assert.equal(await page.locator('#current-purpose').textContent(), 'benefits.payment');
  await look(page, '03-menu');
});

test('search by カナ, open the member: withheld categories shown with why', async () => {
  const page = pages.benefits;
  const kana = env.person.identity.name_kana;
  await nav(page, '加入者検索');
  await page.getByLabel('氏名カナ（前方一致）').fill(kana);
  await page.getByRole('button', { name: '検索' }).click();
  await page.getByRole('status').filter({ hasText: '件' }).waitFor();
  await look(page, '04-search');
  await page.getByRole('link', { name: env.person.identity.name_kanji }).first().click();
  await page.getByRole('heading', { name: /加入者詳細/ }).waitFor();
  // 保険給付 (benefits.payment) does not need 収入 or 続柄: withheld, with the rule.
  const withheld = page.locator('section.withheld');
  await withheld.getByText('非表示').first().waitFor();
  const text = await withheld.textContent();
  assert.match(text, /収入/);
  assert.match(text, /use_lacks_category|not_in_use|category/);
  await look(page, '05-member');
  await withheld.getByRole('link', { name: 'なぜ見られないのか' }).first().click();
  await page.getByRole('heading', { name: '利用目的と権限の説明' }).waitFor();
  assert.match(await page.locator('main').textContent(), /拒否/);
  await look(page, '06-explain');
});

test('a member\'s receipts by month and one receipt like the paper レセプト', async () => {
  const page = pages.benefits;
  await page.goto(`${env.base}/members/${env.person.id}/receipts`);
  await page.getByRole('heading', { name: /^診療年月/ }).first().waitFor();
  await look(page, '07-receipts');
  await page.locator('table a').first().click();
  await page.getByRole('heading', { name: /診療報酬明細書/ }).waitFor();
  const main = await page.locator('main').textContent();
  for (const part of ['保険者番号', '傷病名', '診療行為・医薬品・特定器材', '合計点数', '医療費（点数×10円）']) {
    assert.ok(main.includes(part), `the receipt shows ${part}`);
  }
  assert.ok((await page.locator('.receipt table tbody tr').count()) > 0, 'lines with 点数 and 回数');
  await look(page, '08-receipt');
  // Printable: in print media the header's forms, the menu and the back link are not printed;
  // the receipt is, and Chromium makes a PDF of it.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('nav').isVisible(), false, 'no menu on paper');
  assert.equal(await page.locator('#purpose-select').isVisible(), false, 'no forms on paper');
  assert.equal(await page.locator('.receipt').isVisible(), true);
  const pdf = await page.pdf({ format: 'A4' });
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
  await page.emulateMedia({ media: 'screen' });
});

test('高額療養費・付加給付 with each amount\'s arithmetic', async () => {
  const page = pages.benefits;
  await nav(page, '高額療養費・付加給付');
  await page.getByRole('heading', { name: '高額療養費・付加給付' }).waitFor();
  assert.match(await page.locator('table').first().textContent(), /円/);
  await look(page, '09-kogaku');
  // The payroll files are a provision to the employers: made under that use (named on the
  // page), as a ZIP.
  assert.match(await page.locator('main').textContent(), /benefits\.payroll_payment/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '給与支払用ファイル（ZIP）' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^kyuyo-shiharai-\d{4}-\d{2}\.zip$/);
  const zip = await download.createReadStream();
  const chunks = [];
  for await (const c of zip) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a ZIP file');
});

test('点検: a finding\'s status changed, and seen in the audit log', async () => {
  const page = await newPage(browser);
  pages.review = page;
  await activate(page, env.accounts.review, PASSWORD);
  await login(page, env.accounts.review, PASSWORD);
  await nav(page, 'レセプト点検');
  // The demo's findings fall in several months; pick one that has some.
  const months = await page.locator('#pick option').allTextContents();
  let row = null;
  for (const m of months) {
    await page.locator('#pick').selectOption(m);
    await page.getByRole('button', { name: '表示' }).click();
    await page.waitForLoadState();
    if ((await page.locator('table.findings tbody tr[id]').count()) > 0) {
      row = page.locator('table.findings tbody tr[id]').first();
      break;
    }
  }
  assert.ok(row, 'a month with findings');
  const id = (await row.getAttribute('id')).slice(1);
  await look(page, '10-review');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /再審査等請求の準備用CSV/ }).click(),
  ]);
  assert.match(csv.suggestedFilename(), /^saishinsa-\d{4}-\d{2}\.csv$/);
  await row.getByLabel(`番号${id}の状態`).selectOption('no_problem');
  await row.getByLabel(`番号${id}のメモ`).fill('2回の受診を確認');
  await row.getByRole('button', { name: '設定' }).click();
  await page.getByText('状態を設定しました').waitFor();
  const updated = page.locator(`tr#f${id}`);
  assert.match(await updated.textContent(), /問題なし/);
  assert.match(await updated.textContent(), /review-e2e/);

  // The privacy officer sees that change in the log viewer.
  const officer = await newPage(browser);
  pages.officer = officer;
  await activate(officer, env.accounts.officer, PASSWORD);
  await login(officer, env.accounts.officer, PASSWORD);
  await nav(officer, '監査ログ');
  await officer.getByLabel(/利用者/).fill('staff:receipt_review:review-e2e');
  await officer.getByLabel(/利用目的のID/).fill('receipts.review');
  await officer.getByRole('button', { name: '絞り込む' }).click();
  await officer.waitForLoadState();
  const log = await officer.locator('table').textContent();
  assert.match(log, /レセプト点検担当 review-e2e/);
  assert.match(log, /write/, 'the status change is a write in the log');
  await officer.getByRole('link', { name: '改ざん検知を実行する' }).click();
  await officer.waitForLoadState();
  assert.match(await officer.locator('main').textContent(), /正常（改ざんは検出されませんでした）/);
  await look(officer, '11-audit');
});

test('imports: progress while it runs, then the result; a broken file refused with its line', async () => {
  const page = pages.review;
  await nav(page, '取込');
  await look(page, '12-imports');
  await page.getByLabel('ファイルの種類').selectOption('receipts');
  await page.getByLabel(/ファイル（/).setInputFiles(env.good.path);
  await page.getByRole('button', { name: '取り込む' }).click();
  await page.waitForURL(/\/imports\/\d+$/);
  // While the import runs the page shows how many receipts have been read (updated from the
  // API by the page's one script) and reloads itself when it is done.
  await page.locator('#receipts-read').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#import-state').textContent(), /取込中/);
  await page.locator('progress').waitFor();
  await checkA11y(page, 'import running');
  // The count moves while it runs (or the page has already reloaded to the result).
  await page.waitForFunction(
    () => Number(document.getElementById('receipts-read')?.textContent) > 0 || document.getElementById('receipts'),
    null,
    { timeout: 60_000 },
  );
  if (await page.locator('#receipts-read').count()) await shot(page, '13-import-running');
  await page.locator('#receipts').waitFor({ timeout: 180_000 });
  assert.equal(await page.locator('#receipts').textContent(), `${env.good.count}件`);
  await look(page, '14-import-done');

  await page.goto(`${env.base}/imports`);
  await page.getByLabel(/ファイル（/).setInputFiles(env.bad.path);
  await page.getByRole('button', { name: '取り込む' }).click();
  await page.locator('#import-error').waitFor({ timeout: 60_000 });
  const error = await page.locator('#import-error').textContent();
  assert.match(error, /BROKEN\.UKE/);
  assert.match(error, new RegExp(`line ${env.bad.line}\\b|${env.bad.line}行`));
  assert.ok(!error.includes('20X604'), 'the error names the field, never the value');
  await look(page, '15-import-refused');
});

test('imports of the other kinds: a roster refused with its line and column, a 特定健診 ZIP', async () => {
  // 名簿 carries 個人番号: the 番号事務取扱担当者, for 番号法に定める利用事務.
  const page = await newPage(browser);
  await activate(page, env.accounts.numbers, PASSWORD);
  await login(page, env.accounts.numbers, PASSWORD);
  assert.equal(await page.locator('#current-purpose').textContent(), 'mynumber.affairs');
  await page.goto(`${env.base}/imports`);
  await page.getByLabel('ファイルの種類').selectOption('roster');
  await page.getByLabel(/ファイル（/).setInputFiles(env.roster);
  await page.getByRole('button', { name: '取り込む' }).click();
  await page.locator('#import-error').waitFor({ timeout: 60_000 });
  const error = await page.locator('#import-error').textContent();
  assert.match(error, /roster\.csv:2: column 事業所名称/);

  const health = await newPage(browser);
  pages.health = health;
  await activate(health, env.accounts.health, PASSWORD);
  await login(health, env.accounts.health, PASSWORD);
  await nav(health, '取込');
  await health.getByLabel('ファイルの種類').selectOption('checkups');
  await health.getByLabel(/ファイル（/).setInputFiles(env.checkupZip);
  await health.getByRole('button', { name: '取り込む' }).click();
  await health.locator('#import-outcome').waitFor({ timeout: 120_000 });
  assert.match(await health.locator('#import-outcome').textContent(), /^特定健診 [\d,]+ 件/);
  await look(health, '15b-import-checkups');
});

test('特定健診: targets, follow-up and the 実施状況 report', async () => {
  const page = pages.health;
  await nav(page, '特定健診');
  await page.locator('#pick').selectOption('2026');
  await page.getByRole('button', { name: '表示' }).click();
  await page.getByText(/積極的支援 \d+人/).waitFor();
  await look(page, '16-checkups');
  await page.getByRole('link', { name: '受診勧奨のフォローアップ' }).click();
  await page.getByText(/analysis\.receipt_targeting/).waitFor();
  await choosePurpose(page, 'health.state_report');
  await page.goto(`${env.base}/checkups?fy=2026&view=report`);
  await page.getByRole('heading', { name: /実施状況/ }).first().waitFor();
  await look(page, '17-checkup-report');
});

test('privacy officer: accounts, a member\'s disclosure report, a contractor report', async () => {
  const page = pages.officer;
  await nav(page, '利用者管理');
  await page.getByRole('heading', { name: '利用者管理' }).waitFor();
  assert.match(await page.locator('table').textContent(), /ben-e2e/);
  await look(page, '18-users');
  await page.getByRole('button', { name: '無効にする: member2-e2e' }).click();
  await page.getByText('無効にしました').waitFor();
  await page.getByRole('button', { name: '有効にする: member2-e2e' }).click();
  await page.getByText('有効にしました').waitFor();

  await choosePurpose(page, 'appi.disclosure');
  await page.goto(`${env.base}/members/${env.person.id}/disclosure`);
  await page.getByRole('heading', { name: /開示報告書/ }).waitFor();
  assert.match(await page.locator('main').textContent(), /給付担当/);
  await look(page, '19-disclosure');

  await choosePurpose(page, 'appi.supervision');
  await page.goto(`${env.base}/audit/contractors?id=c04`);
  await page.getByText(/c04/).first().waitFor();
  await look(page, '20-contractor-report');
});

test('a member sees only their own data', async () => {
  const page = await newPage(browser);
  pages.member = page;
  await activate(page, env.accounts.member, PASSWORD);
  // Keyboard only: the first Tab reaches the skip link, which leads to the form's labelled fields.
  await page.goto(`${env.base}/login`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), '本文へ移動');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login');
  await page.keyboard.type(env.accounts.member.login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/me$/);
  assert.equal(await page.locator('#current-user').textContent(), '本人 太郎');
  assert.match(await page.locator('h1').textContent(), new RegExp(env.person.identity.name_kanji));
  await look(page, '21-member-home');

  await page.getByRole('link', { name: '医療費（レセプト）' }).click();
  await page.getByRole('heading', { name: /医療費のお知らせ/ }).waitFor();
  assert.equal(await page.locator('th', { hasText: '傷病名' }).count(), 0, 'no 傷病名 column for a member');
  await look(page, '22-member-receipts');
  await page.locator('table a').first().click();
  await page.getByRole('heading', { name: /診療報酬明細書/ }).waitFor();
  assert.match(await page.locator('main').textContent(), /この利用目的では傷病名は表示されません/);
  await page.getByRole('link', { name: 'なぜ見られないのか' }).first().click();
  await page.getByRole('heading', { name: '利用目的と権限の説明' }).waitFor();
  assert.match(await page.locator('main').textContent(), /拒否/);
  await look(page, '23-member-explain');

  await page.getByRole('link', { name: '健診・保健指導' }).click();
  await look(page, '24-member-checkups');
  await page.getByRole('link', { name: 'わたしの情報の利用状況' }).click();
  await page.getByRole('heading', { name: 'わたしの情報の利用状況' }).waitFor();
  const disclosure = await page.locator('main').textContent();
  assert.match(disclosure, /給付担当/, 'who looked at their record, and why');
  assert.match(disclosure, /書面による開示請求/);
  await look(page, '25-member-disclosure');

  // Another member's records and the staff screens are not reachable.
  for (const path of ['/members/2', '/members/2/receipts', '/members?kana=%E3%82%A2', '/review']) {
    const r = await page.goto(`${env.base}${path}`);
    assert.equal(r.status(), 403, `${path} is refused to a member`);
  }
  await look(page, '26-member-refused');
  // The portal never takes a person id: /me is always the member's own.
  const r = await page.goto(`${env.base}/me?id=2`);
  assert.equal(r.status(), 200);
  assert.match(await page.locator('h1').textContent(), new RegExp(env.person.identity.name_kanji));
});

test('logout, and a session that expires after the idle timeout', async () => {
  const page = pages.member;
  await page.goto(`${env.base}/me`);
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.getByText('ログアウトしました。').waitFor();
  const r = await page.goto(`${env.base}/me`);
  assert.match(page.url(), /\/login/, 'after logout the portal asks for a login');
  assert.equal(r.status(), 200);

  // The second server ends sessions after 5 idle seconds.
  const idle = await newPage(browser);
  await login(idle, env.accounts.member, PASSWORD, env.shortBase);
  assert.match(idle.url(), /\/me$/);
  await new Promise((resolve) => setTimeout(resolve, 6_500));
  await idle.goto(`${env.shortBase}/me/receipts`);
  assert.match(idle.url(), /\/login\?why=idle/);
  await idle.getByText('一定時間操作がなかったため').waitFor();
  await look(idle, '27-session-expired');
});

test('適用: a member\'s 資格の履歴, the オンライン資格確認 outbox, a filing refused with its line', async () => {
  const page = await newPage(browser);
  await activate(page, env.accounts.eligibility, PASSWORD);
  await login(page, env.accounts.eligibility, PASSWORD);
  assert.equal(await page.locator('#current-purpose').textContent(), 'eligibility.management');

  // A member the demo's year of filings changed: from the detail to the history of events.
  await page.goto(`${env.base}/members/${env.changed}`);
  await page.getByRole('heading', { name: /加入者詳細/ }).waitFor();
  await page.getByRole('link', { name: '資格の履歴（異動・証・訂正）' }).click();
  await page.getByRole('heading', { name: /^資格の履歴/ }).waitFor();
  const events = page.getByRole('table', { name: '事象（新しいものが下）' });
  await events.waitFor();
  assert.ok((await events.locator('tbody tr').count()) > 0, 'the events are listed');
  assert.doesNotMatch(await events.textContent(), /該当なし/);
  assert.match(await events.textContent(), /資格喪失|資格取得|任意継続|氏名変更/);
  await look(page, '28-member-history');

  // The registration with オンライン資格確認, from the menu: the overdue count, then the rows.
  await nav(page, 'オンライン資格確認');
  await page.getByRole('heading', { name: 'オンライン資格確認 登録' }).waitFor();
  await page.getByText(/時点: \d+ 件中 期限超過 \d+ 件。/).waitFor();
  const list = page.getByRole('table', { name: '登録の一覧（期限の早い順）' });
  assert.ok((await list.locator('tbody tr').count()) > 0, 'the demo\'s changes are listed');
  assert.match(await page.locator('main').textContent(), /online\.register/, 'the use it acts for is named');
  await look(page, '29-eligibility-outbox');

  // A 届書 whose data line (line 6: four header lines, then [data]) has 6 fields where a
  // KPFD 資格取得届 has 37: refused naming the file, the line and the column, not the content.
  const secret = 'XSECRET42';
  const filing = Buffer.from(
    [
      'E0001,001,20261201,,,,,',
      '[kanri]',
      ',001',
      'E0001,100,0001,TOKYO,KENPO SHOJI,JIGYONUSHI,03,1234,5678',
      '[data]',
      `2200700,21,01,KNP,1,${secret}`,
    ].join('\r\n') + '\r\n',
    'latin1',
  );
  await nav(page, '取込');
  await page.getByLabel('ファイルの種類').selectOption('filing');
  await page.getByLabel(/ファイル（/).setInputFiles({ name: 'KPFD0006.CSV', mimeType: 'text/csv', buffer: filing });
  await page.getByRole('button', { name: '取り込む' }).click();
  await page.locator('#import-error').waitFor({ timeout: 60_000 });
  const error = await page.locator('#import-error').textContent();
  assert.match(error, /KPFD0006\.CSV:6: column 様式コード/);
  assert.ok(!error.includes(secret), 'the error names the line and column, never the content');
  assert.match(await page.locator('h1').textContent(), /資格の届書/);
  await look(page, '30-import-filing-refused');

  // 保険料 (read under premiums.collection, named on the page): the month's 納入告知 from the
  // demo's year, then one's 明細 with each member's arithmetic.
  await nav(page, '保険料');
  await page.getByRole('heading', { name: '保険料', exact: true }).waitFor();
  const invoices = page.getByRole('table', { name: /の納入告知（/ });
  assert.ok((await invoices.locator('tbody tr').count()) > 0, 'the demo\'s month is invoiced');
  assert.match(await page.locator('main').textContent(), /premiums\.collection/, 'the use it acts for is named');
  await look(page, '31-premiums');
  await page.getByRole('link', { name: /^明細: / }).first().click();
  await page.getByRole('heading', { name: /納入告知 \d+ の明細/ }).waitFor();
  const lines = page.getByRole('table', { name: '明細' });
  assert.ok((await lines.locator('tbody tr').count()) > 0, 'the invoice has its lines');
  assert.match(await lines.textContent(), /標準報酬月額/, 'each line carries its arithmetic');
  await look(page, '32-premium-invoice');
});
