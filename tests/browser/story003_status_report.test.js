'use strict';
// Story 003 – the jobcentre caseworker gets a status report without ping-pong.
// Headless Chromium against a fresh `samband demo` server:
//   the caseworker's request is refused until Mads lets the jobcentre see work-capacity
//   information; then the caseworker requests a status report from the GP, the GP sees
//   it arrive live and answers through the form, the caseworker acknowledges, the
//   request is done in the care plan, and Mads sees the exchange.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, launchBrowser, signIn, signOut, assertNoAxeViolations } = require('./helpers');

const PATIENT = 'Mads Andersen';
const GP = 'Søren Nielsen';
const JOBCENTRE = 'Jobcenter Aarhus';
const SUBJECT = 'Status for the sickness-benefit follow-up';
const QUESTIONS = ['Can Mads work 10 hours a week from January?', 'What should the workplace take into account?'];
const ANSWERS = ['Yes, from mid-January, mornings only.', 'Short days, a quiet workspace, and a named contact person.'];

async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

describe('story 003: status report from the jobcentre', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let messagesPath; // /patients/<id>/messages
  let threadPath; // /threads/<id>
  const at = (p) => new URL(p, server.url).href;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  async function openMessages() {
    await page.goto(at('/patients'));
    await Promise.all([
      page.waitForURL((u) => /^\/patients\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.locator('main table').getByRole('link', { name: PATIENT, exact: true }).click(),
    ]);
    await Promise.all([
      page.waitForURL((u) => u.pathname.endsWith('/messages')),
      page.locator('main').getByRole('link', { name: 'Messages', exact: true }).click(),
    ]);
    messagesPath = new URL(page.url()).pathname;
  }

  async function fillRequest() {
    await page.selectOption('#kind', 'status_report');
    const options = await page.locator('#addressee_member_id option').evaluateAll(
      (opts) => opts.map((o) => ({ value: o.value, label: o.label.trim() })),
    );
    const gp = options.find((o) => o.label.startsWith(GP));
    assert.ok(gp, `the GP should be offered as addressee; got ${JSON.stringify(options.map((o) => o.label))}`);
    await page.selectOption('#addressee_member_id', gp.value);
    await page.fill('#r-subject', SUBJECT);
    await page.fill('#r-body', 'For the follow-up meeting on sickness benefit.');
    await page.fill('#questions', QUESTIONS.join('\n'));
  }

  it('1. without consent for work capacity, the caseworker cannot ask', async () => {
    await signIn(page, server.url, 'jonas.kristensen', '/patients');
    await openMessages();
    await assertNoAxeViolations(page, 'the messages page');
    await fillRequest();
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Send request', exact: true }).click(),
    ]);
    assert.equal(response.status(), 403, 'the request should be refused');
    assert.equal(await textOf(page.locator('main h1')), 'Not allowed');
    await signOut(page);
  });

  it('2. Mads lets the jobcentre see work-capacity information', async () => {
    await signIn(page, server.url, 'mads.andersen', '/me');
    await page.goto(at('/me/consent'));
    const fieldset = page.locator('main fieldset.consent-org').filter({ has: page.locator('legend', { hasText: JOBCENTRE }) });
    assert.equal(await fieldset.count(), 1, 'one consent fieldset for the jobcentre');
    const yes = fieldset.locator('input[type="radio"][value="yes"][name$=".work_capacity"]');
    await yes.check();
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/me/consent'),
      page.getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
    assert.ok(await fieldset.locator('input[type="radio"][value="yes"][name$=".work_capacity"]').isChecked());
    await signOut(page);
  });

  it('3. the caseworker requests a status report from the GP', async () => {
    await signIn(page, server.url, 'jonas.kristensen', '/patients');
    await page.goto(at(messagesPath));
    await fillRequest();
    await Promise.all([
      page.waitForURL((u) => u.pathname.startsWith('/threads/')),
      page.getByRole('button', { name: 'Send request', exact: true }).click(),
    ]);
    threadPath = new URL(page.url()).pathname;
    assert.equal(await textOf(page.locator('main h1')), SUBJECT);
    assert.equal(await textOf(page.locator('#request-status')), 'Requested');
    const receipts = page.locator('table.receipts').first();
    assert.match(await textOf(receipts), new RegExp(`${GP} Sent`));
    await assertNoAxeViolations(page, 'the request thread');
    await signOut(page);
  });

  it('4. the GP sees it arrive, opens it and answers through the form', async () => {
    await signIn(page, server.url, 'soren.nielsen', '/patients');
    // The badge is filled by the live stream (server-sent events).
    await page.locator('#unread-badge').waitFor({ state: 'visible' });
    assert.ok(Number(await textOf(page.locator('#unread-count'))) >= 1);
    await page.goto(at('/inbox'));
    await assertNoAxeViolations(page, 'the inbox');
    await Promise.all([
      page.waitForURL((u) => u.pathname === threadPath),
      page.locator('main table').getByRole('link', { name: SUBJECT, exact: true }).click(),
    ]);
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await page.waitForURL((u) => u.pathname === threadPath);
    assert.equal(await textOf(page.locator('#request-status')), 'Accepted');
    await page.getByLabel(QUESTIONS[0]).fill(ANSWERS[0]);
    // A missing answer is refused with a message at the field, nothing saved.
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Send answer', exact: true }).click(),
    ]);
    assert.equal(await page.locator('.error-summary').count(), 1, 'the form should list the missing answer');
    assert.equal(await textOf(page.locator('#request-status')), 'Accepted');
    await page.getByLabel(QUESTIONS[0]).fill(ANSWERS[0]);
    await page.getByLabel(QUESTIONS[1]).fill(ANSWERS[1]);
    await Promise.all([
      page.waitForURL((u) => u.pathname === threadPath),
      page.getByRole('button', { name: 'Send answer', exact: true }).click(),
    ]);
    assert.equal(await textOf(page.locator('#request-status')), 'Answered');
    assert.match(await textOf(page.locator('dl.qa')), new RegExp(ANSWERS[1]));
    await signOut(page);
  });

  it('5. the caseworker reads the answer and acknowledges it', async () => {
    await signIn(page, server.url, 'jonas.kristensen', '/patients');
    await page.goto(at(threadPath));
    assert.match(await textOf(page.locator('dl.qa')), new RegExp(ANSWERS[0]));
    await Promise.all([
      page.waitForURL((u) => u.pathname === threadPath),
      page.getByRole('button', { name: 'Acknowledge receipt', exact: true }).click(),
    ]);
    assert.equal(await page.getByRole('button', { name: 'Acknowledge receipt', exact: true }).count(), 0);
    const answer = page.locator('li.message').filter({ hasText: ANSWERS[1] });
    assert.match(await textOf(answer.locator('table.receipts')), /Jonas Kristensen Acknowledged/);
    // The request is an action in the care plan, owned by the GP and now done.
    await page.goto(at(messagesPath.replace(/\/messages$/, '')));
    const item = page.locator(
      `xpath=//h3[contains(@class, "owner")][contains(., "${GP}")]/following-sibling::ul[1]/li[contains(., "Status report: ${SUBJECT}")]`,
    );
    assert.equal(await item.count(), 1, 'the request should be an action in the plan, under the GP');
    assert.equal(await item.locator('select').inputValue(), 'done', 'answered request: action done');
    await signOut(page);
  });

  it('6. the GP sees the receipt; Mads sees the exchange about him', async () => {
    await signIn(page, server.url, 'soren.nielsen', '/patients');
    await page.goto(at(threadPath));
    const answer = page.locator('li.message').filter({ hasText: ANSWERS[1] });
    assert.match(await textOf(answer.locator('table.receipts')), /Acknowledged/);
    await signOut(page);

    await signIn(page, server.url, 'mads.andersen', '/me');
    await page.goto(at('/me/messages'));
    await assertNoAxeViolations(page, 'Your messages');
    const link = page.locator('main').getByRole('link', { name: SUBJECT, exact: true });
    assert.equal(await link.count(), 1);
    await Promise.all([page.waitForURL((u) => u.pathname === threadPath), link.click()]);
    assert.equal(await textOf(page.locator('#request-status')), 'Answered');
    assert.match(await textOf(page.locator('dl.qa')), new RegExp(ANSWERS[0]));
    await signOut(page);
  });
});
