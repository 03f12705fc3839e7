'use strict';
// Story 004 – serious mental illness in the municipality (Even Lunde), driven
// end to end through headless Chromium against a fresh `samband demo` server.
//
// The steps share one server, one browser and one page and run in order:
// each builds on the state left by the previous one. The patient narrows and
// widens what the home care night shift may see; an emergency physician
// outside the team opens the record under emergency access, and the patient
// then finds that access in "Who has looked at your information".

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations, textOf,
} = require('./helpers');

const PATIENT = 'Even Lunde';
const NURSE_ORG = 'Fjordby kommune, hjemmesykepleien';
const ACTION_TITLE = 'Accompany Even to the social services office';
const SERVICE_TEXT = 'Medication administered at home';
const WARNING_SIGNS = 'Stops answering the phone;';
const WHAT_HELPS = 'Talk calmly, sit down with me, let me call my sister';
const CATEGORIES = [
  'plan_and_actions', 'clinical_notes', 'medication', 'mental_health', 'work_capacity',
  'social_circumstances', 'crisis_plan', 'self_reports', 'meeting_pre_reads',
];
const PLAN_HIDDEN_HEADINGS = ['Care team', 'Goals', 'Actions', 'Allocated services', 'Plan revision'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Visible <h2> headings in <main>, whitespace-normalised. */
async function h2Texts(page) {
  const texts = await page.locator('main h2').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/** True when one of the headings is `name` (the Actions heading may carry an "N overdue" badge). */
function hasHeading(headings, name) {
  return headings.some((h) => h === name || h.startsWith(`${name} `));
}

/** The crisis plan section as { 'Warning signs': '...', 'What helps': '...', ... }. */
async function crisisPlan(page) {
  const section = page.locator('main section.crisis');
  assert.equal(await section.count(), 1, 'exactly one <section class="crisis"> expected');
  assert.equal(await section.isVisible(), true, 'the crisis plan section should be visible');
  assert.equal(await textOf(section.locator('h2')), 'Crisis plan');
  const pairs = await section.locator('dl').evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) {
      const dd = dt.nextElementSibling;
      out[dt.textContent.replace(/\s+/g, ' ').trim()] = dd ? dd.textContent.replace(/\s+/g, ' ').trim() : null;
    }
    return out;
  });
  return pairs;
}

/** Assert the crisis plan shows Even's warning signs, what helps and contacts. */
async function assertCrisisPlanShown(page) {
  const cp = await crisisPlan(page);
  assert.ok((cp['Warning signs'] || '').startsWith(WARNING_SIGNS),
    `"Warning signs" should start with "${WARNING_SIGNS}"; got ${JSON.stringify(cp)}`);
  assert.equal(cp['What helps'], WHAT_HELPS, `"What helps" should be Even's own words; got ${JSON.stringify(cp)}`);
  assert.ok(cp['Whom to contact, and when'] && cp['Whom to contact, and when'] !== '—',
    `"Whom to contact, and when" should be filled in; got ${JSON.stringify(cp)}`);
}

/** The consent fieldset for one organisation, plus its org id and per-category state. */
async function consentFieldset(page, orgName) {
  const fieldsets = page.locator('main fieldset.consent-org')
    .filter({ has: page.locator('legend', { hasText: orgName }) });
  assert.equal(await fieldsets.count(), 1, `exactly one consent fieldset for "${orgName}" expected`);
  const names = await fieldsets.locator('input[type="radio"][value="yes"]').evaluateAll(
    (els) => els.map((e) => e.name),
  );
  const parsed = names.map((n) => /^c\.([0-9a-f-]{36})\.([a-z_]+)$/.exec(n));
  assert.ok(parsed.every(Boolean), `unexpected radio names: ${JSON.stringify(names)}`);
  const orgIds = [...new Set(parsed.map((m) => m[1]))];
  assert.equal(orgIds.length, 1, `all radios in the "${orgName}" fieldset should belong to one organisation`);
  assert.deepEqual(parsed.map((m) => m[2]).sort(), [...CATEGORIES].sort(),
    `the "${orgName}" fieldset should have one Yes radio per category`);
  return { fieldset: fieldsets, orgId: orgIds[0] };
}

/** { orgId: { category: 'yes' | 'no' | null } } for every fieldset on /me/consent. */
async function consentState(page) {
  return page.locator('main fieldset.consent-org input[type="radio"]').evaluateAll((els) => {
    const out = {};
    for (const e of els) {
      const [, org, cat] = e.name.split('.');
      out[org] = out[org] || {};
      if (!(cat in out[org])) out[org][cat] = null;
      if (e.checked) out[org][cat] = e.value;
    }
    return out;
  });
}

/**
 * Check the given radios and press Save; wait for the redirect back to /me/consent.
 * Choices that take access away must be confirmed: the page asks (naming what is
 * withdrawn), refuses without the box ticked, and saves once it is.
 */
async function saveConsent(page, orgId, choices, { withdraws = false } = {}) {
  for (const [cat, value] of Object.entries(choices)) {
    const id = `${value === 'yes' ? 'y' : 'n'}-${orgId}-${cat}`;
    await page.locator(`[id="${id}"]`).check();
  }
  const saved = () => page.waitForResponse((r) => r.request().method() === 'GET'
    && new URL(r.url()).pathname === '/me/consent'
    && r.request().redirectedFrom() !== null
    && r.request().redirectedFrom().method() === 'POST');
  let response;
  if (withdraws) {
    const [asked] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/me/consent'),
      page.locator('main form').getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(asked.status(), 422, 'taking access away asks for confirmation first');
    const section = page.locator('#withdraw');
    assert.match(await textOf(section.locator('h2')), /You are taking access away/);
    assert.ok((await textOf(section.locator('.confirm-list'))).includes(NURSE_ORG), 'what is withdrawn is named');
    for (const [cat, value] of Object.entries(choices)) {
      assert.equal(await page.locator(`[id="${value === 'yes' ? 'y' : 'n'}-${orgId}-${cat}"]`).isChecked(), true,
        `the choice for ${cat} is still as made`);
    }
    await assertNoAxeViolations(page, 'confirming that consent is withdrawn');
    // Without the box: asked again, nothing saved.
    const [again] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/me/consent'),
      section.getByRole('button', { name: 'Take the access away', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(again.status(), 422);
    assert.match(await textOf(page.locator('#withdraw_confirm-error')), /Tick the box to confirm/);
    await page.locator('#withdraw_confirm').check();
    [response] = await Promise.all([
      saved(),
      page.locator('#withdraw').getByRole('button', { name: 'Take the access away', exact: true }).click(),
    ]);
  } else {
    [response] = await Promise.all([
      saved(),
      page.locator('main form').getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
  }
  await page.waitForLoadState('load');
  assert.equal(response.status(), 200, 'the consent page after saving should load with 200');
  assert.equal(new URL(page.url()).pathname, '/me/consent', 'saving should redirect back to /me/consent');
  assert.equal(await page.locator('main [role="alert"]').count(), 0,
    'saving consent should not show an error');
}

describe('story 004: serious mental illness in the municipality', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const at = (p) => new URL(p, server.url).href;

  // State carried between steps.
  let overviewPath; // /patients/<uuid>
  let patientId; // <uuid>
  let nurseOrgId;
  let otherOrgsBefore; // consent state of the other organisations before step 2

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  /** Open Even's overview as the signed-in professional and check the h1. */
  async function openOverview() {
    const response = await page.goto(at(overviewPath));
    assert.equal(response.status(), 200, 'the overview should load with 200');
    assert.equal(await textOf(page.locator('main h1')), PATIENT);
  }

  it('1. the night nurse sees Even Lunde with his plan and crisis plan', async () => {
    await signIn(page, server.url, 'ahmed.ali', '/patients');
    assert.equal(await textOf(page.locator('main h1')), 'My patients');
    const link = page.locator('main table').getByRole('link', { name: PATIENT, exact: true });
    assert.equal(await link.count(), 1, `exactly one "${PATIENT}" link expected in the patients table`);
    const href = await link.getAttribute('href');
    const m = /^\/patients\/(.+)$/.exec(href || '');
    assert.ok(m && UUID_RE.test(m[1]), `the link should point to /patients/<uuid>; got ${href}`);
    overviewPath = href;
    patientId = m[1];

    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      link.click(),
    ]);
    assert.equal(await textOf(page.locator('main h1')), PATIENT);
    assert.equal(await page.locator('main p.notice').count(), 0, 'no "not shared" notice expected yet');
    const headings = await h2Texts(page);
    for (const h of PLAN_HIDDEN_HEADINGS) {
      assert.ok(hasHeading(headings, h), `the "${h}" heading should be shown; got ${JSON.stringify(headings)}`);
    }
    assert.equal(await page.locator('#actions').isVisible(), true, 'the Actions section should be visible');
    assert.equal(await page.locator('#actions li.action').filter({ hasText: ACTION_TITLE }).count(), 1,
      `"${ACTION_TITLE}" should be listed under Actions`);
    assert.ok((await textOf(page.locator('main'))).includes(SERVICE_TEXT),
      `the service "${SERVICE_TEXT}" should be listed`);
    await assertCrisisPlanShown(page);
    await assertNoAxeViolations(page, `${PATIENT}'s overview (night nurse)`);
  });

  it('2. Even withholds everything but the crisis plan from home care', async () => {
    assert.ok(overviewPath, 'needs the overview URL from step 1');
    await signOut(page);
    await signIn(page, server.url, 'even.lunde', '/me');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/me/consent'),
      page.locator('header nav').getByRole('link', { name: 'Who can see what', exact: true }).click(),
    ]);
    assert.equal(await textOf(page.locator('main h1')), 'Who can see what');
    await assertNoAxeViolations(page, 'Who can see what (/me/consent)');

    const { fieldset, orgId } = await consentFieldset(page, NURSE_ORG);
    nurseOrgId = orgId;
    for (const [cat, label] of [['plan_and_actions', 'Your plan and who does what'], ['crisis_plan', 'Your crisis plan']]) {
      assert.equal(await textOf(fieldset.locator(`th[id="l-${orgId}-${cat}"]`)), label,
        `the row header for ${cat} should read "${label}"`);
    }
    const before = await consentState(page);
    assert.ok(Object.keys(before).length >= 2, 'Even has more than one organisation on his team');
    otherOrgsBefore = Object.fromEntries(Object.entries(before).filter(([id]) => id !== orgId));
    assert.equal(before[orgId].plan_and_actions, 'yes', 'home care should see the plan before Even narrows it');

    const choices = Object.fromEntries(CATEGORIES.map((c) => [c, c === 'crisis_plan' ? 'yes' : 'no']));
    await saveConsent(page, orgId, choices, { withdraws: true });

    const after = await consentState(page);
    assert.deepEqual(after[orgId], choices, 'the saved page should show only the crisis plan shared with home care');
    for (const cat of CATEGORIES) {
      const expected = choices[cat];
      assert.equal(await page.locator(`[id="${expected === 'yes' ? 'y' : 'n'}-${orgId}-${cat}"]`).isChecked(), true,
        `${cat} should be checked "${expected}" after saving`);
    }
    const otherAfter = Object.fromEntries(Object.entries(after).filter(([id]) => id !== orgId));
    assert.deepEqual(otherAfter, otherOrgsBefore, 'the other organisations\' consent should be unchanged');
  });

  it('3. the night nurse now sees the crisis plan but not the plan and team', async () => {
    assert.ok(nurseOrgId, 'needs step 2');
    await signOut(page);
    await signIn(page, server.url, 'ahmed.ali', '/patients');
    await openOverview();

    const notice = page.locator('main p.notice');
    assert.equal(await notice.count(), 1, 'a "not shared" notice is expected');
    assert.equal(await notice.isVisible(), true, 'the notice should be visible');
    assert.match(await textOf(notice), /^The patient has not shared their plan and team with your organisation\b/);

    await assertCrisisPlanShown(page);

    const headings = await h2Texts(page);
    for (const h of PLAN_HIDDEN_HEADINGS) {
      assert.ok(!hasHeading(headings, h), `the "${h}" heading must be absent; got ${JSON.stringify(headings)}`);
    }
    assert.equal(await page.locator('#actions').count(), 0, 'the Actions section must be absent');
    const html = await page.content();
    assert.ok(!html.includes(ACTION_TITLE), `the action title "${ACTION_TITLE}" must not be in the page`);
    assert.ok(!html.includes(SERVICE_TEXT), `the service "${SERVICE_TEXT}" must not be in the page`);
    await assertNoAxeViolations(page, `${PATIENT}'s overview with the plan withheld`);
  });

  it('4. Even shares his plan with home care again', async () => {
    assert.ok(nurseOrgId, 'needs step 2');
    await signOut(page);
    await signIn(page, server.url, 'even.lunde', '/me');
    await page.goto(at('/me/consent'));
    const { orgId } = await consentFieldset(page, NURSE_ORG);
    assert.equal(orgId, nurseOrgId, 'the home care organisation should be the same as in step 2');
    assert.equal(await page.locator(`[id="n-${orgId}-plan_and_actions"]`).isChecked(), true,
      'the plan should still be withheld from home care before widening');

    const choices = Object.fromEntries(CATEGORIES.map((c) => [c, 'yes']));
    await saveConsent(page, orgId, choices);
    const after = await consentState(page);
    assert.deepEqual(after[orgId], choices, 'every category should be shared with home care again');
    const otherAfter = Object.fromEntries(Object.entries(after).filter(([id]) => id !== orgId));
    assert.deepEqual(otherAfter, otherOrgsBefore, 'the other organisations\' consent should be unchanged');
  });

  it('5. the night nurse sees the Actions section and the action again', async () => {
    await signOut(page);
    await signIn(page, server.url, 'ahmed.ali', '/patients');
    await openOverview();
    assert.equal(await page.locator('main p.notice').count(), 0, 'the "not shared" notice should be gone');
    const headings = await h2Texts(page);
    assert.ok(hasHeading(headings, 'Actions'), `the "Actions" heading should be back; got ${JSON.stringify(headings)}`);
    const item = page.locator('#actions li.action').filter({ hasText: ACTION_TITLE });
    assert.equal(await item.count(), 1, `"${ACTION_TITLE}" should be listed under Actions again`);
    assert.equal(await item.isVisible(), true, 'the action should be visible');
  });

  it('6. an emergency physician outside the team opens the record under emergency access', async () => {
    assert.ok(patientId, 'needs Even\'s patient id from step 1');
    await signOut(page);
    await signIn(page, server.url, 'knut.vik', '/patients');

    const denied = await page.goto(at(overviewPath));
    assert.ok(denied, 'navigation should produce a response');
    assert.equal(denied.status(), 404, 'opening the overview directly should be answered with 404');
    assert.ok(!(await page.content()).includes(PATIENT), `the 404 page must not mention ${PATIENT}`);

    await Promise.all([
      page.waitForURL((u) => u.pathname === '/emergency'),
      page.locator('header nav').getByRole('link', { name: 'Emergency access', exact: true }).click(),
    ]);
    assert.equal(await textOf(page.locator('main h1')), 'Emergency access');
    await assertNoAxeViolations(page, 'the emergency access form');

    await page.fill('#identifier', patientId);
    await page.selectOption('#reason_code', 'patient_unconscious');
    await page.fill('#reason_text', 'Found unresponsive at home by the night shift; need his crisis plan and contacts.');
    await page.fill('#password', 'samband-demo-2026');
    await Promise.all([
      page.waitForURL((u) => u.pathname === overviewPath),
      page.locator('main form').getByRole('button', { name: 'Open the record', exact: true }).click(),
    ]);

    assert.equal(await textOf(page.locator('main h1')), PATIENT);
    const alert = page.locator('main [role="alert"]').filter({ hasText: 'Emergency access.' });
    assert.equal(await alert.count(), 1, 'an emergency access alert is expected');
    assert.equal(await alert.isVisible(), true, 'the emergency alert should be visible');
    assert.ok((await textOf(alert)).includes('You are reading this record under emergency access'),
      `unexpected alert text: ${await textOf(alert)}`);
    await assertCrisisPlanShown(page);
  });

  it('7. Even sees the emergency access in "Who has looked at your information"', async () => {
    await signOut(page);
    await signIn(page, server.url, 'even.lunde', '/me');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/me/access-log'),
      page.locator('header nav').getByRole('link', { name: 'Who has looked', exact: true }).click(),
    ]);
    assert.equal(await textOf(page.locator('main h1')), 'Who has looked at your information');
    await assertNoAxeViolations(page, 'Who has looked at your information (/me/access-log)');

    const rows = page.locator('main table tbody tr.emergency-row');
    assert.ok(await rows.count() >= 1, 'at least one emergency access row is expected');
    const knutRows = rows.filter({ has: page.locator('td:nth-child(2) strong', { hasText: 'Knut Vik' }) });
    assert.ok(await knutRows.count() >= 1, 'an emergency row naming Knut Vik is expected');
    const row = knutRows.first();
    const who = await textOf(row.locator('td:nth-child(2)'));
    assert.equal(await textOf(row.locator('td:nth-child(2) strong')), 'Knut Vik');
    assert.ok(who.includes('Emergency physician'), `the Who cell should give his role; got "${who}"`);
    assert.equal(await textOf(row.locator('.badge')), 'Emergency access', 'the row should carry an "Emergency access" badge');

    // Ordinary care access by the night nurse is logged too, but never as an emergency.
    const ahmedRows = page.locator('main table tbody tr')
      .filter({ has: page.locator('td:nth-child(2) strong', { hasText: 'Ahmed Ali' }) });
    assert.ok(await ahmedRows.count() >= 1, 'the night nurse\'s views should be in the access log');
    const ahmedEmergency = await ahmedRows.evaluateAll((trs) => trs.filter((tr) => tr.classList.contains('emergency-row')).length);
    assert.equal(ahmedEmergency, 0, 'the night nurse\'s ordinary access must not be marked as emergency');
  });
});
