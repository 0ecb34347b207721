// GraphiQL in a real headless Chromium with no network but this server: the page loads from
// the binary alone, a query runs and its result shows, and a subscription over /graphql/ws
// (the token from the headers editor in connection_init) shows an event as it happens.
// COSELL_URL is the server's base URL, COSELL_TOKEN an ADMIN token; CHROMIUM the browser
// (default /usr/bin/chromium). Exits 1 on failure.
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
  await page.screenshot({ path: process.env.SCREENSHOT || '/tmp/graphiql.png' });

  // A subscription in a second tab, and a change made meanwhile.
  const gql = async (query, variables) => {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.COSELL_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await r.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const partner = (await gql('mutation { createPartner(input: { name: "Browser live" }) { id } }')).createPartner.id;
  const customer = (await gql(
    'mutation($p: ID!) { createCustomer(input: { partnerId: $p, companyName: "Browser Co", industry: FINANCIAL_SERVICES, segment: ENTERPRISE, awsAdoption: ENGAGED, address: { countryCode: "US", postalCode: "10001" } }) { id } }',
    { p: partner },
  )).createCustomer.id;
  const live = await browser.newPage();
  live.on('pageerror', (e) => errors.push(String(e)));
  await live.evaluateOnNewDocument((token) => {
    localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${token}` }));
    localStorage.setItem('graphiql:query', 'subscription { opportunityEvents { action opportunity { title } } }');
  }, process.env.COSELL_TOKEN);
  await live.goto(`${base}/`, { waitUntil: 'networkidle0' });
  await live.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  await live.click('.graphiql-execute-button');
  let shown = false;
  for (let i = 0; i < 40 && !shown; i++) {
    await gql(
      'mutation($c: ID!, $t: String!) { createOpportunity(input: { customerId: $c, clientToken: $t, title: "Seen live in GraphiQL", customerBusinessProblem: "The batch platform is ageing and costly to run.", opportunityType: NET_NEW_BUSINESS }) { id } }',
      { c: customer, t: `browser-${i}` },
    );
    shown = await live
      .waitForFunction(
        () => document.querySelector('.result-window')?.innerText.includes('Seen live in GraphiQL'),
        { timeout: 500 },
      )
      .then(() => true, () => false);
  }
  if (!shown) failures.push('the subscription showed no event');
  else console.log(`subscription shown: ${(await live.$eval('.result-window', (e) => e.innerText)).replace(/\s+/g, ' ').trim()}`);
  if (errors.length) failures.push(`page errors: ${errors.join('; ')}`);
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
