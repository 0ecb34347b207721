// Live updates through real clients: the graphql-ws library and Apollo Client (GraphQLWsLink),
// both subscribed to askEvents with the token in connection_init. Prints READY once both are
// connected, then one JSON line with what each received once COUNT events arrived, and the
// close code a bad token gets.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";

const { URL: url, TOKEN: token, COUNT } = process.env;
const count = Number(COUNT);
const query = `subscription { askEvents { action actor ask { id status } } }`;

const fail = (what, error) => {
  console.error(what, error);
  process.exit(1);
};
setTimeout(() => fail("timed out", {}), 20000).unref();

const refusedCode = await new Promise((resolve) => {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: "Bearer not-a-token" },
    lazy: false,
    retryAttempts: 0,
    // The refusal is expected: not an error to print.
    onNonLazyError: () => {},
    on: { closed: (event) => resolve(event.code) },
  });
});

const connected = [];
const clientFor = () => {
  let markConnected;
  connected.push(new Promise((resolve) => (markConnected = resolve)));
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    on: { connected: () => markConnected() },
  });
};

const received = { graphqlWs: [], apollo: [] };
let done = 0;
const finish = () => {
  done += 1;
  if (done === 2) {
    console.log(JSON.stringify({ ...received, refusedCode }));
    process.exit(0);
  }
};

clientFor().subscribe(
  { query },
  {
    next: (result) => {
      if (result.errors) fail("graphql-ws errors", result.errors);
      received.graphqlWs.push(result.data.askEvents);
      if (received.graphqlWs.length === count) finish();
    },
    error: (error) => fail("graphql-ws", error),
    complete: () => {},
  },
);

const apollo = new ApolloClient({
  link: new GraphQLWsLink(clientFor()),
  cache: new InMemoryCache(),
});
apollo.subscribe({ query: gql(query) }).subscribe({
  next: (result) => {
    if (result.error) fail("apollo error", result.error);
    received.apollo.push(result.data.askEvents);
    if (received.apollo.length === count) finish();
  },
  error: (error) => fail("apollo", error),
});

await Promise.all(connected);
// The subscribe messages follow the acknowledgement at once; give the server a moment to
// take them up before the test starts changing things.
await new Promise((resolve) => setTimeout(resolve, 300));
console.log("READY");
