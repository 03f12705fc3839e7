'use strict';
// Story 003 – Mads Andersen's discharge hand-over from the psychiatric ward to his GP.
// Headless Chromium against a fresh `samband demo` server:
//   the psychiatrist's empty form is refused at its fields; she writes the structured
//   hand-over (red urgency, medication and the plan for adjusting it, a follow-up item
//   for the GP, warning signs, work capacity, a summary for Mads) and sends it; the GP
//   finds it on Mads's overview, reads the medication plan and acknowledges it; the
//   jobcentre caseworker opens it and sees the plan's sections but not the medication.
//   Every page passes axe.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations, isoDateInDays, textOf,
} = require('./helpers');

const PATIENT = 'Mads Andersen';
const GP = 'Søren Nielsen';
const MEDICATION = 'Sertraline 100 mg every morning';
const PLAN = 'Raise to 150 mg if PHQ-9 has not fallen by week 4; taper only with the GP';
const ITEM = 'See Mads within two working days of discharge';
const SUMMARY = 'You were in hospital for depression. Your GP will see you this week.';

describe('story 003: discharge hand-over to the GP', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let handoverPath; // /patients/<id>/handovers/<id>
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

  async function openOverview() {
    await page.goto(at('/patients'));
    await Promise.all([
      page.waitForURL((u) => /^\/patients\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.locator('main table').getByRole('link', { name: PATIENT, exact: true }).click(),
    ]);
  }

  it('1. the psychiatrist writes and sends the discharge hand-over', async () => {
    await signIn(page, server.url, 'mette.holm', '/patients');
    await openOverview();
    await assertNoAxeViolations(page, "Mads's overview");
    await Promise.all([
      page.waitForURL((u) => u.pathname.endsWith('/handovers/new')),
      page.locator('#handovers').getByRole('link', { name: 'Write a hand-over' }).click(),
    ]);
    await assertNoAxeViolations(page, 'the empty hand-over form');

    // Nothing filled in but the medication: refused at each field, the text kept.
    await page.fill('#medication', MEDICATION);
    const [refused] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Save draft' }).click(),
    ]);
    assert.equal(refused.status(), 422);
    const summary = await textOf(page.locator('.error-summary'));
    for (const field of ['Receiver', 'Follow-up urgency', 'What was done and found', 'Summary for the patient']) {
      assert.ok(summary.includes(field), `the error summary names ${field}: ${summary}`);
    }
    assert.equal(await page.inputValue('#medication'), MEDICATION, 'what was typed is kept');
    assert.equal(await page.getAttribute('#receiver', 'aria-invalid'), 'true');
    await assertNoAxeViolations(page, 'the hand-over form with errors');

    const options = await page.locator('#receiver option').evaluateAll(
      (opts) => opts.map((o) => ({ value: o.value, label: o.label.trim() })),
    );
    const gp = options.find((o) => o.label.startsWith(GP));
    assert.ok(gp, `the GP is offered as receiver: ${JSON.stringify(options.map((o) => o.label))}`);
    await page.selectOption('#receiver', gp.value);
    await page.selectOption('#urgency', 'red');
    await page.fill('#done_and_found', 'Admitted for six weeks with severe depression; no psychotic symptoms.');
    await page.fill('#medication_plan', PLAN);
    await page.fill('[name="follow_up[0].description"]', ITEM);
    await page.selectOption('[name="follow_up[0].owner"]', gp.value);
    await page.fill('[name="follow_up[0].due"]', isoDateInDays(2));
    await page.fill('#warning_signs', 'Stops eating or talks of hopelessness: call the acute team.');
    await page.fill('#work_capacity', 'Not fit for work for four weeks; graded return after.');
    await page.fill('#responsibilities', 'GP: medication. Care manager: weekly calls.');
    await page.fill('#patient_summary', SUMMARY);
    await Promise.all([
      page.waitForURL((u) => /\/handovers\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.getByRole('button', { name: 'Save draft' }).click(),
    ]);
    handoverPath = new URL(page.url()).pathname;
    assert.equal(await textOf(page.locator('#handover-status')), 'Draft');
    await assertNoAxeViolations(page, 'the draft hand-over');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Send hand-over' }).click(),
    ]);
    assert.ok((await textOf(page.locator('#handover-status'))).startsWith('Sent, waiting for acknowledgement'));
    await signOut(page);
  });

  it('2. the GP reads the medication plan and acknowledges the hand-over', async () => {
    await signIn(page, server.url, 'soren.nielsen', '/patients');
    await openOverview();
    const list = page.locator('#handovers');
    await Promise.all([
      page.waitForURL((u) => u.pathname === handoverPath),
      list.getByRole('link', { name: /Mette Holm → Søren Nielsen/ }).click(),
    ]);
    const medication = await textOf(page.locator('#medication-section'));
    assert.ok(medication.includes(MEDICATION), medication);
    assert.ok(medication.includes(PLAN), medication);
    assert.ok((await textOf(page.locator('main'))).includes(ITEM));
    await assertNoAxeViolations(page, 'the hand-over as the GP sees it');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Acknowledge receipt' }).click(),
    ]);
    assert.ok((await textOf(page.locator('#handover-status'))).startsWith('Acknowledged'));
    assert.equal(await page.getByRole('button', { name: 'Acknowledge receipt' }).count(), 0);
    // The follow-up item is now the GP's action in the care plan.
    await page.goto(at(handoverPath.replace(/\/handovers\/.*$/, '')));
    assert.ok((await textOf(page.locator('#actions'))).includes(ITEM), 'the item is an action in the plan');
    await page.goto(at(`${handoverPath}/print`));
    assert.ok((await textOf(page.locator('#medication-section'))).includes(PLAN));
    await assertNoAxeViolations(page, 'the print view');
    await signOut(page);
  });

  it('3. the jobcentre sees the plan but not the medication', async () => {
    await signIn(page, server.url, 'jonas.kristensen', '/patients');
    await page.goto(at(handoverPath));
    const main = await textOf(page.locator('main'));
    assert.ok(main.includes(SUMMARY), 'the summary for Mads is plan information');
    assert.ok(!main.includes(MEDICATION), 'no medication for the jobcentre');
    assert.ok(!main.includes(PLAN), 'no medication plan for the jobcentre');
    assert.ok((await textOf(page.locator('#medication-section'))).includes('does not share this section'));
    assert.equal(await page.getByRole('button', { name: 'Acknowledge receipt' }).count(), 0);
    await assertNoAxeViolations(page, 'the hand-over as the jobcentre sees it');
    await signOut(page);
  });
});
