// The graphql-http server audits (every MUST, SHOULD and MAY of the GraphQL-over-HTTP spec
// that the package checks) against COSELL_URL, with a bearer token on every request: cosell
// answers nothing without one. Exits 1 if any audit is not "ok".
import { serverAudits } from 'graphql-http';

const url = process.env.COSELL_URL;
const token = process.env.COSELL_TOKEN;
const audits = serverAudits({
  url,
  fetchFn: (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  },
});
let notOk = 0;
for (const audit of audits) {
  const result = await audit.fn();
  if (result.status !== 'ok') {
    notOk += 1;
    console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
  }
}
console.log(`${audits.length} audits, ${notOk} not ok`);
process.exit(notOk === 0 ? 0 : 1);
