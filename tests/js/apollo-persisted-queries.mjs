// Apollo Client 4 with its persisted-query link against COSELL_URL (token COSELL_TOKEN).
//
// COSELL_MODE=manifest prints a trusted-documents manifest ({ sha256: document }) of the
// documents exactly as Apollo sends them (after its cache adds __typename), the way a build
// step would. COSELL_MODE=automatic checks the automatic protocol: the first request sends
// only the hash, the server answers PERSISTED_QUERY_NOT_FOUND, the link sends the text once,
// and later requests send only the hash. COSELL_MODE=trusted checks a server that runs only
// the manifest: a registered document runs from its hash alone, an unregistered one is
// refused and never falls back. Exits 1 on any mismatch.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { print } from 'graphql';
import { Observable } from 'rxjs';
import { createHash } from 'node:crypto';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const REGISTERED = gql`query Me { viewer { role subject } }`;
const UNREGISTERED = gql`query Segments { segments { code name } }`;

const sent = [];
const recordingFetch = async (url, init) => {
  const body = init.body ? JSON.parse(init.body) : null;
  const withText = init.method === 'GET' ? new URL(url).searchParams.has('query') : typeof body?.query === 'string';
  sent.push({ method: init.method, withText });
  return fetch(url, init);
};

function client(link) {
  return new ApolloClient({ cache: new InMemoryCache(), link });
}

function persisted() {
  return new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({
      uri: process.env.COSELL_URL,
      headers: { authorization: `Bearer ${process.env.COSELL_TOKEN}` },
      fetch: recordingFetch,
    }),
  );
}

const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); };

const mode = process.env.COSELL_MODE;
if (mode === 'manifest') {
  const manifest = {};
  const capture = new ApolloLink((operation) => {
    const text = print(operation.query);
    manifest[sha256(text)] = text;
    return new Observable((o) => { o.next({ data: { viewer: { role: 'ADMIN', subject: 'x', __typename: 'Viewer' } } }); o.complete(); });
  });
  await client(capture).query({ query: REGISTERED });
  console.log(JSON.stringify(manifest));
  process.exit(0);
}

const apollo = client(persisted());
const me = await apollo.query({ query: REGISTERED, fetchPolicy: 'network-only' });
expect(me.data?.viewer?.role === 'ADMIN', `viewer: ${JSON.stringify(me)}`);

if (mode === 'automatic') {
  expect(JSON.stringify(sent) === JSON.stringify([
    { method: 'GET', withText: false },
    { method: 'POST', withText: true },
  ]), `first query: hash, not found, then the text once: ${JSON.stringify(sent)}`);
  sent.length = 0;
  const again = await apollo.query({ query: REGISTERED, fetchPolicy: 'network-only' });
  expect(again.data?.viewer?.subject === me.data?.viewer?.subject, 'the second answer');
  expect(JSON.stringify(sent) === JSON.stringify([{ method: 'GET', withText: false }]),
    `second query: the hash alone: ${JSON.stringify(sent)}`);
} else if (mode === 'trusted') {
  expect(JSON.stringify(sent) === JSON.stringify([{ method: 'GET', withText: false }]),
    `a registered document runs from its hash: ${JSON.stringify(sent)}`);
  sent.length = 0;
  let refusal;
  try {
    await apollo.query({ query: UNREGISTERED, fetchPolicy: 'network-only' });
  } catch (error) {
    refusal = error;
  }
  const codes = (refusal?.errors ?? []).map((e) => e.extensions?.code);
  expect(codes.includes('DOCUMENT_NOT_TRUSTED'), `an unregistered document is refused: ${refusal}`);
  expect(sent.length === 1, `and the link does not fall back to the text: ${JSON.stringify(sent)}`);
} else {
  failures.push(`unknown COSELL_MODE ${mode}`);
}

if (failures.length) {
  console.log(failures.join('\n'));
  process.exit(1);
}
console.log(`apollo persisted queries (${mode}): ok`);
