'use strict';
// Story 003 – severe depression discharge (Mads Andersen), driven end to end
// through headless Chromium against a fresh `samband demo` server.
//
// The steps share one server, one browser and one page and run in order:
// each builds on the state left by the previous one. (The phone-width check
// runs while the patient is still signed in, before the outsider check.)

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations, isoDateInDays, humanDate,
} = require('./helpers');

const PATIENT = 'Mads Andersen';
const OWNER = 'Camilla Poulsen';

/** Whitespace-normalised visible text of a locator. */
async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

describe('story 003: severe depression discharge', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const at = (p) => new URL(p, server.url).href;

  // State carried between steps.
  const actionTitle = `Call Mads after discharge ${crypto.randomBytes(4).toString('hex')}`;
  const dueIso = isoDateInDays(14);
  let overviewPath; // /patients/<uuid>

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('1. GP signs in and sees Mads Andersen under "My patients"', async () => {
    await signIn(page, server.url, 'soren.nielsen', '/patients');
    assert.equal(await textOf(page.locator('main h1')), 'My patients');

    const link = page.locator('main table').getByRole('link', { name: PATIENT, exact: true });
    assert.equal(await link.count(), 1, `exactly one "${PATIENT}" link expected in the patients table`);
    const href = await link.getAttribute('href');
    assert.match(href, /^\/patients\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    overviewPath = href;

    await assertNoAxeViolations(page, 'My patients');
  });

  it('2. GP opens the overview and adds an action for the care manager', async () => {
    assert.ok(overviewPath, 'needs the overview URL from step 1');
    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      page.locator('main table').getByRole('link', { name: PATIENT, exact: true }).click(),
    ]);
    assert.equal(await textOf(page.locator('main h1')), PATIENT);
    await assertNoAxeViolations(page, `${PATIENT}'s overview`);

    await Promise.all([
      page.waitForURL((u) => u.pathname === `${overviewPath}/actions/new`),
      page.getByRole('link', { name: 'Add action', exact: true }).click(),
    ]);
    await assertNoAxeViolations(page, 'the "Add an action" form');

    await page.fill('#title', actionTitle);
    const options = await page.locator('#owner_member_id option').evaluateAll(
      (opts) => opts.map((o) => ({ value: o.value, label: o.label.trim() })),
    );
    const owner = options.find((o) => o.label.startsWith(OWNER));
    assert.ok(owner && owner.value, `an owner option starting with "${OWNER}" is expected; got ${JSON.stringify(options.map((o) => o.label))}`);
    assert.match(owner.label, /Care manager/, 'Camilla Poulsen should be listed as the Care manager');
    await page.selectOption('#owner_member_id', owner.value);
    await page.fill('#due_date', dueIso);
    assert.equal(await page.inputValue('#due_date'), dueIso);

    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      page.locator('main form').getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
  });

  it('3. the new action is listed under the care manager on the overview', async () => {
    assert.equal(new URL(page.url()).pathname, overviewPath, 'saving should redirect to the overview');

    const heading = page.locator('h3.owner').filter({ hasText: new RegExp(`^\\s*${OWNER}\\b`) });
    assert.equal(await heading.count(), 1, `exactly one owner heading for ${OWNER} expected`);
    const list = heading.locator('xpath=following-sibling::*[1]');
    assert.equal(await list.evaluate((el) => el.matches('ul.actions')), true,
      `the element right after the "${OWNER}" heading should be <ul class="actions">`);

    const item = list.locator('li').filter({ hasText: actionTitle });
    assert.equal(await item.count(), 1, `"${actionTitle}" should be listed under ${OWNER}`);
    assert.equal(await item.isVisible(), true, 'the new action should be visible');
    assert.equal(await page.locator('main li').filter({ hasText: actionTitle }).count(), 1,
      'the new action should be listed exactly once on the page');
  });

  it('4. invalid input is rejected with field errors and nothing is saved', async () => {
    await page.goto(at(overviewPath));
    const actionItems = page.locator('#actions li[class^="action"], #actions li[class*=" action"]');
    const before = await actionItems.count();
    assert.ok(before >= 1, 'the overview should list at least the action from step 2');

    await Promise.all([
      page.waitForURL((u) => u.pathname === `${overviewPath}/actions/new`),
      page.getByRole('link', { name: 'Add action', exact: true }).click(),
    ]);
    const ownerValue = await page.locator('#owner_member_id option').evaluateAll(
      (opts, name) => (opts.find((o) => o.label.trim().startsWith(name)) || {}).value, OWNER,
    );
    assert.ok(ownerValue, `owner option for ${OWNER} expected`);
    await page.fill('#title', '');
    await page.selectOption('#owner_member_id', ownerValue);
    await page.fill('#due_date', '2020-01-01');

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'
        && new URL(r.url()).pathname === `${overviewPath}/actions/new`),
      page.locator('main form').getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.ok(response.status() >= 400 && response.status() < 500,
      `invalid input should be answered with a 4xx status, got ${response.status()}`);
    assert.equal(new URL(page.url()).pathname, `${overviewPath}/actions/new`,
      'invalid input should re-show the form, not redirect');

    for (const id of ['title-error', 'due_date-error']) {
      const err = page.locator(`p.field-error#${id}`);
      assert.equal(await err.count(), 1, `expected <p class="field-error" id="${id}">`);
      assert.equal(await err.isVisible(), true, `#${id} should be visible`);
      assert.notEqual(await textOf(err), '', `#${id} should say what is wrong`);
    }
    assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#due_date', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#title', 'aria-describedby') || '', /\btitle-error\b/,
      '#title should reference its error message via aria-describedby');
    await assertNoAxeViolations(page, 'the "Add an action" form with errors');

    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      page.getByRole('link', { name: 'Back to the overview' }).click(),
    ]);
    assert.equal(await actionItems.count(), before, 'no action should have been added by the invalid submit');
  });

  it('4b. the error summary names fields by their visible labels', async () => {
    await page.goto(at(`${overviewPath}/actions/new`));
    await page.fill('#title', '');
    await page.fill('#due_date', '2020-01-01');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.locator('main form').getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    for (const [id, label] of [['title', 'What is to be done'], ['due_date', 'Due date']]) {
      const link = page.locator(`.error-summary a[href="#${id}"]`);
      assert.equal(await link.count(), 1, `the error summary should link to #${id}`);
      assert.equal(await textOf(link), label,
        `the error summary link to #${id} should read "${label}"`);
    }
    await page.goto(at(overviewPath));
  });

  it('5. the patient sees the new action in plain language on "Your plan"', async () => {
    await signOut(page);
    await signIn(page, server.url, 'mads.andersen', '/me');
    assert.equal(await textOf(page.locator('main h1')), 'Your plan');

    const item = page.locator('ul.plain-actions > li').filter({ hasText: actionTitle });
    assert.equal(await item.count(), 1, `"${actionTitle}" should be listed once in ul.plain-actions`);
    const text = await textOf(item);
    assert.ok(text.includes(`${OWNER} (Care manager) will:`),
      `expected "${OWNER} (Care manager) will:" in: ${text}`);
    assert.ok(text.includes(actionTitle), `expected the action title in: ${text}`);
    assert.ok(text.includes('Not started yet'), `expected the status "Not started yet" in: ${text}`);
    const by = `By ${humanDate(dueIso)}`;
    assert.ok(text.includes(by), `expected the due date "${by}" in: ${text}`);
    await assertNoAxeViolations(page, 'Your plan (/me)');

    const response = await page.goto(at('/me/team'));
    assert.equal(response.status(), 200);
    assert.equal(await textOf(page.locator('main h1')), 'Who helps you with what');
    assert.ok((await textOf(page.locator('main'))).includes(OWNER), `${OWNER} should be listed on /me/team`);
    await assertNoAxeViolations(page, 'Who helps you with what (/me/team)');
  });

  it('6. "Your plan" fits a 360 px wide phone screen without horizontal scrolling', async () => {
    const original = page.viewportSize();
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      const response = await page.goto(at('/me'));
      assert.equal(response.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/me', 'the patient should still be signed in');
      assert.equal(await page.locator('ul.plain-actions > li').filter({ hasText: actionTitle }).isVisible(), true);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= 360, `page is ${scrollWidth}px wide at a 360px viewport (horizontal scrolling)`);
    } finally {
      if (original) await page.setViewportSize(original);
    }
  });

  it('7. a clinician outside the care team cannot see Mads Andersen', async () => {
    await signOut(page);
    await signIn(page, server.url, 'knut.vik', '/patients');
    assert.equal(await textOf(page.locator('main h1')), 'My patients');
    assert.ok(!(await textOf(page.locator('main'))).includes(PATIENT),
      `${PATIENT} must not be listed for a clinician outside his team`);

    const response = await page.goto(at(overviewPath));
    assert.ok(response, 'navigation should produce a response');
    assert.equal(response.status(), 404, 'opening the overview directly should be answered with 404');
    const html = await page.content();
    assert.ok(!html.includes(PATIENT), `the 404 page must not mention ${PATIENT}`);
    assert.ok(!html.includes(actionTitle), 'the 404 page must not reveal the action title');
  });
});
