'use strict';
// Story 000 – Kari Nordmann's NAV supervisor is replaced mid-way, end to end in
// headless Chromium against a fresh `samband demo` server: the chair writes the
// meeting's minutes; the coordinator ends Silje Nilsen's membership and names Ole
// Strand, a new member, as her successor; everything she held moves to him in one
// change; Ole signs in, owns her actions and agenda item, and reads the meeting's
// minutes. Every page passes axe.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations,
} = require('./helpers');

const PATIENT = 'Kari Nordmann';
const MINUTES = 'Kari described her energy over the week; NAV explained the work trial.';

async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

describe('story 000: the social-security supervisor is replaced mid-way', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let overviewPath;
  let meetingPath;
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

  async function submit(button) {
    await Promise.all([page.waitForNavigation(), button.click()]);
  }

  it('1. the chair writes the minutes of the collaboration meeting', async () => {
    await signIn(page, server.url, 'ingrid.berg', '/patients');
    await Promise.all([
      page.waitForURL((u) => /^\/patients\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.locator('main table').getByRole('link', { name: PATIENT, exact: true }).click(),
    ]);
    overviewPath = new URL(page.url()).pathname;
    await page.goto(at(`${overviewPath}/meetings`));
    await Promise.all([
      page.waitForURL((u) => /^\/meetings\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.locator('main table a[href^="/meetings/"]').first().click(),
    ]);
    meetingPath = new URL(page.url()).pathname;
    await page.goto(at(`${meetingPath}/chair`));
    const first = page.locator('ol.agenda > li').nth(0);
    await first.locator('textarea[name$=".minutes"]').fill(MINUTES);
    await submit(first.getByRole('button', { name: 'Save minutes', exact: true }));
    assert.equal(await page.locator('ol.agenda > li').nth(0).locator('textarea[name$=".minutes"]').inputValue(), MINUTES);
  });

  it('2. the coordinator ends Silje\'s membership and names a new member as her successor', async () => {
    await page.goto(at(overviewPath));
    const before = await textOf(page.locator('#actions'));
    assert.ok(before.includes('Silje Nilsen'), 'Silje owns actions before she leaves');
    await Promise.all([
      page.waitForURL((u) => u.pathname.endsWith('/edit')),
      page.getByRole('link', { name: 'Edit Silje Nilsen' }).click(),
    ]);
    await assertNoAxeViolations(page, 'the member form with the end section');
    // Without the box ticked: refused at the box, the choice kept.
    const ole = await page.locator('#new_successor_professional_id option').evaluateAll(
      (os) => os.filter((o) => o.label.startsWith('Ole Strand')).map((o) => o.value));
    assert.equal(ole.length, 1, 'Ole Strand is offered as a new member');
    await page.selectOption('#new_successor_professional_id', ole[0]);
    await page.fill('#new_successor_role', 'NAV supervisor');
    await submit(page.getByRole('button', { name: 'End the membership', exact: true }));
    assert.ok(await page.locator('#end_confirm-error').isVisible(), 'the error is at the box');
    assert.equal(await page.locator('#new_successor_professional_id').inputValue(), ole[0]);
    await assertNoAxeViolations(page, 'the member form with an error');
    await page.check('#end_confirm');
    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      page.getByRole('button', { name: 'End the membership', exact: true }).click(),
    ]);
    const after = await textOf(page.locator('#actions'));
    assert.ok(after.includes('Ole Strand'), 'Ole owns her actions now');
    assert.ok(!after.includes('Silje Nilsen'), 'nothing is left with Silje');
    await assertNoAxeViolations(page, 'the overview after the hand-over');
    await signOut(page);
  });

  it('3. the successor owns her actions and reads the earlier meeting\'s minutes', async () => {
    await signIn(page, server.url, 'ole.strand', '/patients');
    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      page.locator('main table').getByRole('link', { name: PATIENT, exact: true }).click(),
    ]);
    const actions = await textOf(page.locator('#actions'));
    assert.ok(actions.includes('Ole Strand'), 'his actions are on the plan');
    await assertNoAxeViolations(page, 'the overview as the successor');
    await page.goto(at(meetingPath));
    const body = await textOf(page.locator('main'));
    assert.ok(body.includes(MINUTES), 'the minutes written before he joined are his to read');
    assert.ok(body.includes('Ole Strand'), 'he is invited in her place');
    await assertNoAxeViolations(page, 'the meeting as the successor');
    await signOut(page);
  });
});
