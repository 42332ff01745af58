// Drives the admin console in Debian's chromium (headless, through playwright-core) for
// tests/integration/admin_console_test.cpp, which prepares the broker and checks the effects:
// sign in with the admin token, wait until the lag table shows GROUP at lag LAG with status
// STATUS, then click Re-drive on dead letter DEAD_LETTER_ID and wait for the page to report it
// re-driven. A screenshot goes to SCREENSHOT (also when a step fails). Exit 0 when every step
// passed; otherwise 1 and the failing step on stderr.
//
// Environment: CONSOLE_URL, ADMIN_TOKEN, GROUP, LAG, STATUS, DEAD_LETTER_ID, SCREENSHOT,
// CHROMIUM (the browser's path); NODE_PATH holds playwright-core (tests/run installs both).
'use strict';

const {chromium} = require('playwright-core');

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main() {
  const url = need('CONSOLE_URL');
  const group = need('GROUP');
  const screenshot = need('SCREENSHOT');
  const browser = await chromium.launch({
    executablePath: need('CHROMIUM'),
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({viewport: {width: 1400, height: 1000}});
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  let step = 'load the page';
  try {
    await page.goto(url);
    step = 'sign in';
    await page.fill('#token', need('ADMIN_TOKEN'));
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#console', {state: 'visible', timeout: 10000});

    step = `see group ${group} at lag ${process.env.LAG}`;
    const row = page.locator('#lag tbody tr', {hasText: group});
    await row.first().waitFor({timeout: 30000});
    await page.waitForFunction(
        ({group, lag, status}) => [...document.querySelectorAll('#lag tbody tr')].some((tr) => {
          const cells = [...tr.cells].map((td) => td.textContent);
          return cells[0] === group && cells[6] === lag && cells[1] === status;
        }),
        {group, lag: need('LAG'), status: need('STATUS')}, {timeout: 30000});

    step = 'click Re-drive';
    const id = need('DEAD_LETTER_ID');
    const button = page.locator(`#dead-letters button[data-id="${id}"]`, {hasText: 'Re-drive'});
    await button.waitFor({timeout: 30000});
    await button.click();
    step = 'see the dead letter re-driven';
    await page.waitForFunction(
        (id) => document.getElementById('dlq-result').textContent === `${id}: redriven`, id,
        {timeout: 30000});
    await page.waitForFunction(
        (id) => !document.querySelector(`#dead-letters button[data-id="${id}"]`), id,
        {timeout: 30000});
    if (problems.length > 0) throw new Error(problems.join('; '));
    await page.screenshot({path: screenshot, fullPage: true});
  } catch (error) {
    await page.screenshot({path: screenshot, fullPage: true}).catch(() => {});
    console.error(`console check failed at "${step}": ${error.message}`);
    if (problems.length > 0) console.error(problems.join('\n'));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
