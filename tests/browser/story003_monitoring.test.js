'use strict';
// Story 003 – severe depression discharge, self-monitoring (issue 12): Mads answers
// his fortnightly PHQ-9 on a phone, answers item 9 "several days", and is taken to his
// crisis plan with the honest "not watched around the clock"; the care manager finds
// the safety alert on her alert list, sees Mads flagged in the registry and on the
// case-review queue, and acknowledges the alert with an outcome (a missing outcome is
// refused at the field first). Against a fresh `samband demo` server.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, launchBrowser, signIn, signOut, assertNoAxeViolations } = require('./helpers');

const PATIENT = 'Mads Andersen';

async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

describe('story 003: PHQ-9 on the phone, a safety answer reaches the care manager', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
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

  it('1. Mads answers his due PHQ-9 at 360 px and is taken to his crisis plan', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await signIn(page, server.url, 'mads.andersen', '/me');
    const due = page.locator('ul.checkins a').first();
    assert.equal(await due.count(), 1, 'a check-in is due on "Your plan"');
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/me/check-ins/')), due.click()]);
    await assertNoAxeViolations(page, 'the PHQ-9 answer page');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `the answer page fits 360 px (scroll width ${wide})`);
    const groups = await page.locator('form.checkin fieldset').count();
    assert.equal(groups, 9, 'nine questions');
    // "More than half the days" on the first eight, "several days" on item 9.
    const names = await page.locator('form.checkin fieldset input[type=radio]').evaluateAll(
      (els) => [...new Set(els.map((e) => e.name))],
    );
    for (const name of names.slice(0, 8)) {
      await page.locator(`input[name="${name}"][value="2"]`).check();
    }
    await page.locator(`input[name="${names[8]}"][value="1"]`).check();
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/me/crisis-plan'),
      page.locator('form.checkin button[type=submit]').click(),
    ]);
    const main = await textOf(page.locator('main'));
    assert.match(main, /not watched around the clock/, 'honest about nights and weekends');
    await signOut(page);
  });

  it('2. the care manager finds the safety alert, the registry flag and the review queue', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, server.url, 'camilla.poulsen', '/patients');
    await page.goto(at('/alerts'));
    const row = page.locator('table.alerts tr.alert-safety', { hasText: PATIENT });
    assert.equal(await row.count(), 1, 'one safety alert for Mads');
    await assertNoAxeViolations(page, 'the alert list');

    await page.goto(at('/registry?flag=safety'));
    const reg = page.locator('table.registry tbody tr', { hasText: PATIENT });
    assert.equal(await reg.count(), 1, 'Mads is on the registry filtered by safety');
    assert.equal(await reg.locator('.flag-safety').count(), 1);
    await assertNoAxeViolations(page, 'the registry');
    await page.goto(at('/registry?review=true'));
    assert.equal(await page.locator('table.registry tbody tr', { hasText: PATIENT }).count(), 1,
      'a safety flag puts Mads on the case-review queue');
  });

  it('3. acknowledging needs an outcome; with one, the alert is closed', async () => {
    await page.goto(at('/alerts'));
    await Promise.all([
      page.waitForURL((u) => /\/alerts\//.test(u.pathname)),
      page.locator('table.alerts tr.alert-safety a').first().click(),
    ]);
    await page.locator('form[action$="/acknowledge"] button[type=submit]').click();
    await page.waitForLoadState();
    assert.equal(await page.locator('#outcome-error').count(), 1, 'the outcome is asked for at its field');
    await page.locator('#outcome-contacted').check();
    await Promise.all([
      page.waitForLoadState(),
      page.locator('form[action$="/acknowledge"] button[type=submit]').click(),
    ]);
    await page.goto(at('/alerts'));
    assert.equal(await page.locator('table.alerts tr.alert-safety', { hasText: PATIENT }).count(), 0,
      'no longer open');
    await page.goto(at('/registry?flag=safety'));
    assert.equal(await page.locator('table.registry tbody tr', { hasText: PATIENT }).count(), 0,
      'the registry no longer flags Mads for safety');
  });
});
