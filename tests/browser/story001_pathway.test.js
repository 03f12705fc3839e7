'use strict';
// Story 001 – cancer pathway at home (Arne Solberg), driven end to end through
// headless Chromium against a fresh `samband demo` server: the diagnosis is the
// anchor of an enrolment on "Cancer pathway at home", the needs-mapping
// conversation in hospital is recorded (its need handed to the municipal contact
// person as a plan action) and completes its milestone, the hospital's hand-over is
// acknowledged by the municipal contact person, and the 3–4-month mapping
// shows overdue once the calendar has passed its window.
//
// The demo server runs on the real clock, so "the clock passes the window" is
// reached by a diagnosis 125 days ago: the 3–4-month window (days 91–122) lies
// behind today. Every page visited passes axe (WCAG 2.1 A/AA).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations, isoDateInDays, textOf,
} = require('./helpers');

const PATIENT = 'Arne Solberg';
const CONTACT = 'Municipal contact person';

describe('story 001: cancer pathway at home', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  const at = (p) => new URL(p, server.url).href;
  const diagnosis = isoDateInDays(-125);
  const heldOn = isoDateInDays(-120);
  let overviewPath;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('1. the oncologist opens Arne\'s pathways: none yet', async () => {
    await signIn(page, server.url, 'maria.lund', '/patients');
    const link = page.locator('main table').getByRole('link', { name: PATIENT, exact: true });
    assert.equal(await link.count(), 1);
    overviewPath = await link.getAttribute('href');
    await page.goto(at(overviewPath));
    assert.equal(await page.locator('#pathways').count(), 1, 'the overview has a Pathways section');
    await assertNoAxeViolations(page, 'the overview with its Pathways section');
    await page.goto(at(`${overviewPath}/pathways`));
    assert.equal(await page.locator('#no-pathways').count(), 1);
    await assertNoAxeViolations(page, 'the pathways page');
  });

  it('2. enrolment from the diagnosis: a missing pathway is a field error, then enrolled', async () => {
    await page.fill('#enrol-anchor_date', diagnosis);
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Enrol', exact: true }).click(),
    ]);
    assert.equal(await page.locator('#enrol-template_key-error').count(), 1, 'the pathway is required');
    assert.equal(await page.inputValue('#enrol-anchor_date'), diagnosis, 'the typed date is kept');
    await assertNoAxeViolations(page, 'the enrol form with an error');
    await page.selectOption('#enrol-template_key', 'cancer_home');
    await Promise.all([
      page.waitForURL((u) => u.pathname === `${overviewPath}/pathways`),
      page.getByRole('button', { name: 'Enrol', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    const heading = await textOf(page.locator('main section.pathway h2').first());
    assert.match(heading, /Cancer pathway at home/);
    assert.equal(await page.locator('tr[data-milestone="needs_mapping_hospital"]').getAttribute('data-state'), 'overdue');
    assert.equal(await page.locator('tr[data-milestone="needs_mapping_12_18_months"]').getAttribute('data-state'), 'upcoming');
    await assertNoAxeViolations(page, 'the pathways page after enrolment');
  });

  it('3. the needs-mapping conversation in hospital hands a need to the municipal contact person', async () => {
    await Promise.all([
      page.waitForURL((u) => u.pathname === `${overviewPath}/needs-mapping`),
      page.getByRole('link', { name: 'Record a needs-mapping conversation' }).click(),
    ]);
    await assertNoAxeViolations(page, 'the needs-mapping form');
    await page.selectOption('#point', 'hospital');
    await page.fill('#held_on', heldOn);
    await page.selectOption('#need0-topic', 'help_at_home');
    await page.fill('#need0-description', 'Help with shopping during treatment');
    const owners = await page.locator('#need0-owner option').evaluateAll(
      (opts) => opts.map((o) => ({ value: o.value, label: o.label.trim() })),
    );
    const contact = owners.find((o) => o.label.includes(CONTACT));
    assert.ok(contact, `an owner "${CONTACT}" expected; got ${JSON.stringify(owners.map((o) => o.label))}`);
    await page.selectOption('#need0-owner', contact.value);
    await page.fill('#need0-due', isoDateInDays(14));
    await page.fill('#notes', 'Wants his daughter at the next conversation');
    await Promise.all([
      page.waitForURL((u) => u.pathname === `${overviewPath}/pathways`),
      page.getByRole('button', { name: 'Record the conversation' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(await page.locator('tr[data-milestone="needs_mapping_hospital"]').getAttribute('data-state'), 'done');
    await page.goto(at(overviewPath));
    assert.match(await textOf(page.locator('#actions')), /Help at home: Help with shopping during treatment/);
  });

  it('4. the hospital hands Arne over to the municipal contact person, who acknowledges it', async () => {
    await page.goto(at(overviewPath));
    await Promise.all([
      page.waitForURL((u) => u.pathname.endsWith('/handovers/new')),
      page.locator('#handovers').getByRole('link', { name: 'Write a hand-over' }).click(),
    ]);
    const options = await page.locator('#receiver option').evaluateAll(
      (opts) => opts.map((o) => ({ value: o.value, label: o.label.trim() })),
    );
    const anne = options.find((o) => o.label.startsWith('Anne Moe'));
    assert.ok(anne, `the contact person is offered as receiver: ${JSON.stringify(options.map((o) => o.label))}`);
    await page.selectOption('#receiver', anne.value);
    await page.selectOption('#urgency', 'yellow');
    await page.fill('#done_and_found', 'Diagnosis given; chemotherapy starts in two weeks at the day unit.');
    await page.fill('#responsibilities', 'Municipality: help at home and the next needs mapping. Hospital: treatment.');
    await page.fill('#patient_summary', 'Anne Moe in your municipality is your contact person from now on.');
    await Promise.all([
      page.waitForURL((u) => /\/handovers\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.getByRole('button', { name: 'Save draft' }).click(),
    ]);
    const handoverPath = new URL(page.url()).pathname;
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Send hand-over' }).click(),
    ]);
    assert.ok((await textOf(page.locator('#handover-status'))).startsWith('Sent, waiting for acknowledgement'));
    await signOut(page);
    await signIn(page, server.url, 'anne.moe', '/patients');
    await page.goto(at(overviewPath));
    await Promise.all([
      page.waitForURL((u) => u.pathname === handoverPath),
      page.locator('#handovers').getByRole('link', { name: /Maria Lund → Anne Moe/ }).click(),
    ]);
    await assertNoAxeViolations(page, 'the hand-over as the contact person sees it');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Acknowledge receipt' }).click(),
    ]);
    assert.ok((await textOf(page.locator('#handover-status'))).startsWith('Acknowledged'));
    await signOut(page);
    await signIn(page, server.url, 'maria.lund', '/patients');
  });

  it('5. the 3–4-month mapping is overdue: on the pathways page, the caseload and the coordinator\'s list', async () => {
    await page.goto(at(`${overviewPath}/pathways`));
    assert.equal(await page.locator('tr[data-milestone="needs_mapping_3_4_months"]').getAttribute('data-state'), 'overdue');
    await signOut(page);
    await signIn(page, server.url, 'anne.moe', '/patients');
    const row = page.locator('main table tr', { has: page.getByRole('link', { name: PATIENT, exact: true }) });
    assert.notEqual(await textOf(row.locator('td.pathway-overdue')), '0', 'the caseload shows overdue milestones');
    await assertNoAxeViolations(page, 'My patients with the overdue indicator');
    await page.goto(at('/pathways/due'));
    assert.equal(await page.locator('#due-milestones tr[data-milestone="needs_mapping_3_4_months"]').count(), 1);
    await assertNoAxeViolations(page, 'the coordinator\'s list');
    await signOut(page);
  });
});
