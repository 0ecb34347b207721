// Mounts GraphiQL on this server's /graphql. The token goes in the headers editor (kept in
// this browser's local storage); `cosell token` mints one for development.
(function () {
  var url = new URL('/graphql', window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, 'ws') + '/ws',
  });
  var headers = JSON.stringify({ Authorization: 'Bearer <a token from `cosell token`>' }, null, 2);
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: headers,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultQuery: '# Put your token in the headers below, then run (Ctrl-Enter).\n{\n  viewer {\n    role\n    subject\n  }\n}\n',
    }),
  );
})();
