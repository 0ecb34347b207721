// GraphiQL in a real headless Chromium with no network but this server: the page loads from
// the binary alone, a query runs and its result shows. COSELL_URL is the server's base URL,
// COSELL_TOKEN a token; CHROMIUM the browser (default /usr/bin/chromium). Exits 1 on failure.
import puppeteer from 'puppeteer-core';

const base = process.env.COSELL_URL;
const origin = new URL(base).host;
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // No DNS for anything but this server: any CDN request would fail.
  args: ['--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${new URL(base).hostname}`],
});
const failures = [];
try {
  const page = await browser.newPage();
  const outside = [];
  page.on('request', (r) => { if (new URL(r.url()).host !== origin && !r.url().startsWith('data:')) outside.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The token goes where GraphiQL keeps the headers editor's text.
  await page.evaluateOnNewDocument((token) => {
    localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${token}` }));
    localStorage.setItem('graphiql:query', '{ viewer { role subject } }');
  }, process.env.COSELL_TOKEN);
  await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () => document.querySelector('.result-window')?.innerText.includes('"ADMIN"'),
    { timeout: 20000 },
  );
  const result = await page.$eval('.result-window', (e) => e.innerText);
  console.log(`result shown: ${result.replace(/\s+/g, ' ').trim()}`);
  // The docs explorer opens and lists the root types.
  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForFunction(() => document.body.innerText.includes('Root Types'), { timeout: 20000 });
  const headersEditor = await page.evaluate(() => document.body.innerText.includes('Headers'));
  if (!headersEditor) failures.push('no headers editor');
  if (outside.length) failures.push(`requests outside the server: ${outside.join(', ')}`);
  if (errors.length) failures.push(`page errors: ${errors.join('; ')}`);
  await page.screenshot({ path: process.env.SCREENSHOT || '/tmp/graphiql.png' });
} catch (error) {
  failures.push(String(error));
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(failures.join('\n'));
  process.exit(1);
}
console.log('graphiql offline: ok');
