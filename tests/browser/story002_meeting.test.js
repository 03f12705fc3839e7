'use strict';
// Story 002 – a well-led digital meeting, end to end in headless Chromium against a
// fresh `samband demo` server: the organiser plans the meeting, invites the GP, the
// physiotherapist and the patient, and builds an agenda with one item where the
// patient is absent; the patient sees which items she attends and says what she wants
// to raise; the chair records minutes and two decisions; the decisions appear in the
// care plan with owners and due dates; the patient reads the plain-language summary.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations, isoDateInDays, humanDate,
} = require('./helpers');

const PATIENT = 'Lise Haugen';
const TITLE = 'Collaboration meeting on pain and activity';
const ITEMS = [
  { title: 'Assessment results and Lise\'s goals', start: '10:00', minutes: '20', present: true },
  { title: 'Medication options between professionals', start: '10:20', minutes: '15', present: false },
  { title: 'Common action plan', start: '10:35', minutes: '25', present: true },
];
const RAISE = 'I want to talk about how to manage the school run on bad days.';
const DECISIONS = [
  { text: 'Reduce the evening dose and review in two weeks', owner: 'Per Hansen', days: 14 },
  { text: 'Graded walking programme, three times a week', owner: 'Kari Dahl', days: 21 },
];
const MINUTES = 'Lise described her week. We discussed medication and activity.';
const MINUTES_FIRST = 'Assessment results went through; Lise wants to manage the school run.';
const DRAFT = 'A decision still being worded';
const SUMMARY = 'We agreed on two things. Per lowers your evening medicine and checks in two weeks. Kari starts a walking programme with you.';

async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

describe('story 002: a well-led digital meeting', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let meetingPath;
  let overviewPath;
  const at = (p) => new URL(p, server.url).href;
  const day = isoDateInDays(7);

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

  it('1. the organiser plans the meeting and invites the GP, the physiotherapist and the patient', async () => {
    await signIn(page, server.url, 'ingrid.berg', '/patients');
    await Promise.all([
      page.waitForURL((u) => /^\/patients\/[0-9a-f-]{36}$/.test(u.pathname)),
      page.locator('main table').getByRole('link', { name: PATIENT, exact: true }).click(),
    ]);
    overviewPath = new URL(page.url()).pathname;
    await Promise.all([
      page.waitForURL((u) => u.pathname.endsWith('/meetings')),
      page.locator('main').getByRole('link', { name: 'Meetings', exact: true }).click(),
    ]);
    await assertNoAxeViolations(page, 'the meetings page');
    await page.fill('#title', TITLE);
    await page.selectOption('#kind', 'collaboration_after_assessment');
    await page.selectOption('#mode', 'digital');
    await page.fill('#date', day);
    await page.fill('#time', '10:00');
    await page.fill('#duration_minutes', '60');
    await page.fill('#video_link', 'https://video.example.org/room/lise');
    await page.selectOption('#pre_read_policy', 'days_before');
    await submit(page.getByRole('button', { name: 'Plan the meeting', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/meetings\/[0-9a-f-]{36}$/);
    meetingPath = new URL(page.url()).pathname;
    assert.equal(await textOf(page.locator('main h1')), TITLE);

    for (const whom of ['Per Hansen', 'Kari Dahl', PATIENT]) {
      const options = await page.locator('#invite-who option').evaluateAll((os) => os.map((o) => ({ v: o.value, l: o.label })));
      const o = options.find((x) => x.l.startsWith(whom));
      assert.ok(o, `${whom} should be offered; got ${JSON.stringify(options.map((x) => x.l))}`);
      await page.selectOption('#invite-who', o.v);
      await submit(page.getByRole('button', { name: 'Invite', exact: true }));
    }
    assert.equal(new URL(page.url()).pathname, meetingPath, 'nothing else typed: back to the meeting page');
    assert.equal(await page.locator('#kept-notice').count(), 0, 'nothing is said to be kept when nothing was typed');
    const people = await textOf(page.locator('main table').first());
    for (const whom of ['Ingrid Berg', 'Per Hansen', 'Kari Dahl', PATIENT]) {
      assert.ok(people.includes(whom), `${whom} should be invited: ${people}`);
    }
    await assertNoAxeViolations(page, 'the meeting page');
  });

  it('2. the organiser builds the agenda; an overlapping slot is refused', async () => {
    for (const item of ITEMS) {
      await page.fill('#agenda-title', item.title);
      await page.fill('#agenda-start', item.start);
      await page.fill('#agenda-duration_minutes', item.minutes);
      const present = page.locator('#agenda-patient_present');
      if (item.present) await present.check(); else await present.uncheck();
      await submit(page.getByRole('button', { name: 'Add item', exact: true }));
    }
    await page.fill('#agenda-title', 'Overlapping item');
    await page.fill('#agenda-start', '10:30');
    await page.fill('#agenda-duration_minutes', '10');
    await submit(page.getByRole('button', { name: 'Add item', exact: true }));
    assert.match(await textOf(page.locator('.error-summary')), /overlaps the item/);
    const agenda = page.locator('ol.agenda > li');
    assert.equal(await agenda.count(), 3);
    assert.match(await textOf(agenda.nth(1)), /Patient not present/);
    await signOut(page);
  });

  it('3. the patient sees which items she attends and says what she wants to raise', async () => {
    await signIn(page, server.url, 'lise.haugen', '/me');
    await page.goto(at('/me/meetings'));
    await assertNoAxeViolations(page, 'the patient\'s meetings');
    await Promise.all([
      page.waitForURL((u) => u.pathname === meetingPath),
      page.locator('main').getByRole('link', { name: TITLE, exact: true }).click(),
    ]);
    const agenda = page.locator('ol.agenda > li');
    assert.match(await textOf(agenda.nth(0)), /You are present/);
    assert.doesNotMatch(await textOf(agenda.nth(1)), /You are present/);
    assert.match(await textOf(agenda.nth(2)), /You are present/);
    await page.fill('#raise-text', RAISE);
    await submit(page.getByRole('button', { name: 'Save what I want to raise', exact: true }));
    assert.equal(await page.locator('#raise-text').inputValue(), RAISE);
    await assertNoAxeViolations(page, 'the meeting, as the patient');
    await signOut(page);
  });

  it('4. the chair sees the preparation, records minutes and two decisions; nothing typed is lost', async () => {
    await signIn(page, server.url, 'ingrid.berg', '/patients');
    await page.goto(at(meetingPath));
    assert.ok((await textOf(page.locator('main table').first())).includes(RAISE), 'the patient\'s input shows in the preparation overview');
    await page.goto(at(`${meetingPath}/chair`));
    await assertNoAxeViolations(page, 'the chair view');
    const items = page.locator('ol.agenda > li');
    // Minutes typed at the first and the last item, a decision begun at the second,
    // and then "Add decision" pressed at the last item without saving any minutes.
    await items.nth(0).locator('textarea[name$=".minutes"]').fill(MINUTES_FIRST);
    await items.nth(1).locator('input[name$=".text"]').fill(DRAFT);
    await items.nth(2).locator('textarea[name$=".minutes"]').fill(MINUTES);
    async function fillDecision(it, d) {
      await it.locator('input[name$=".text"]').fill(d.text);
      const options = await it.locator('select[name$=".owner_member_id"] option').evaluateAll((os) => os.map((o) => ({ v: o.value, l: o.label })));
      const owner = options.find((o) => o.l.startsWith(d.owner));
      assert.ok(owner, `owner ${d.owner} offered`);
      await it.locator('select[name$=".owner_member_id"]').selectOption(owner.v);
      await it.locator('input[name$=".due_date"]').fill(isoDateInDays(d.days));
    }
    await fillDecision(items.nth(2), DECISIONS[0]);
    await submit(items.nth(2).getByRole('button', { name: 'Add decision', exact: true }));
    // The decision begun at the second item was not added, and is still in its field.
    assert.match(await textOf(page.locator('#kept-notice')), /still in its field/);
    assert.equal(await page.locator('ol.agenda > li').nth(1).locator('input[name$=".text"]').inputValue(), DRAFT);
    assert.equal(await page.locator('ol.agenda > li').nth(1).locator('ul.decisions').count(), 0);
    assert.equal(await page.locator('ol.agenda > li').nth(2).locator('input[name$=".text"]').inputValue(), '',
      'the added decision\'s fields are emptied');
    await assertNoAxeViolations(page, 'the chair view with a kept draft');
    // Read back from the store: both items' minutes were saved with the decision.
    await page.goto(at(`${meetingPath}/chair`));
    assert.equal(await page.locator('ol.agenda > li').nth(0).locator('textarea[name$=".minutes"]').inputValue(), MINUTES_FIRST);
    assert.equal(await page.locator('ol.agenda > li').nth(2).locator('textarea[name$=".minutes"]').inputValue(), MINUTES);
    assert.equal(await page.locator('ol.agenda > li').nth(1).locator('input[name$=".text"]').inputValue(), '',
      'an unsaved draft is not kept across a reload');
    const it = page.locator('ol.agenda > li').nth(2);
    await fillDecision(it, DECISIONS[1]);
    await submit(it.getByRole('button', { name: 'Add decision', exact: true }));
    assert.equal(new URL(page.url()).pathname, `${meetingPath}/chair`, 'nothing else typed: back to the chair view');
    assert.equal(await page.locator('#kept-notice').count(), 0);
    const decisions = await textOf(page.locator('ol.agenda > li').nth(2).locator('ul.decisions'));
    for (const d of DECISIONS) assert.ok(decisions.includes(d.text), decisions);
    assert.equal(await page.locator('ol.agenda > li').nth(2).locator('textarea[name$=".minutes"]').inputValue(), MINUTES);
    await page.goto(at(meetingPath));
    assert.ok((await textOf(page.locator('ol.agenda > li').nth(0).locator('.minutes'))).includes(MINUTES_FIRST),
      'the minutes show on the meeting page');
  });

  it('4b. cancelling the meeting asks for confirmation and does nothing without it', async () => {
    await page.goto(at(meetingPath));
    const cancel = page.getByRole('button', { name: 'Cancel the meeting', exact: true });
    assert.equal(await cancel.getAttribute('class'), 'danger', 'styled apart from the main buttons');
    assert.equal(await page.locator('section.danger-zone').getByRole('button').count(), 1,
      'alone in its own section, apart from Save');
    // Something typed elsewhere on the page, then "Cancel the meeting" without the box.
    await page.fill('#after-summary', 'Half a summary');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/do/cancel')),
      cancel.click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(response.status(), 422, 'refused without confirmation');
    assert.equal(await textOf(page.locator('#meeting-status')), 'Planned');
    assert.match(await textOf(page.locator('#cancel-confirm-error')), /Tick the box to confirm/);
    assert.equal(await page.locator('#cancel-confirm').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#cancel-confirm').isChecked(), false);
    assert.equal(await page.locator('#after-summary').inputValue(), 'Half a summary', 'what was typed is kept');
    await assertNoAxeViolations(page, 'the meeting page asking to confirm the cancellation');
    // Still planned when read again from the store.
    await page.goto(at(meetingPath));
    assert.equal(await textOf(page.locator('#meeting-status')), 'Planned');
    assert.equal(await page.locator('#after-summary').inputValue(), '', 'the half summary was not saved');
  });

  it('5. the decisions are actions in the care plan with owners and due dates', async () => {
    await page.goto(at(overviewPath));
    for (const d of DECISIONS) {
      const li = page.locator(
        `xpath=//h3[contains(@class, "owner")][contains(., "${d.owner}")]/following-sibling::ul[1]/li[contains(., "${d.text}")]`,
      );
      assert.equal(await li.count(), 1, `"${d.text}" should be an action owned by ${d.owner}`);
      assert.match(await textOf(li), new RegExp(humanDate(isoDateInDays(d.days))));
    }
  });

  it('6. the organiser writes the plain-language summary; the patient reads it', async () => {
    await page.goto(at(meetingPath));
    await page.fill('#after-summary', SUMMARY);
    await submit(page.getByRole('button', { name: 'Save summary', exact: true }));
    assert.equal(await textOf(page.locator('#meeting-status')), 'Held');
    await signOut(page);
    await signIn(page, server.url, 'lise.haugen', '/me');
    await page.goto(at(meetingPath));
    assert.equal(await textOf(page.locator('#summary-text')), SUMMARY);
    await signOut(page);
  });
});
