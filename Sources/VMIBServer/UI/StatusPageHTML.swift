/// The status page's one HTML document. Everything it shows is drawn by `app.js` from API
/// answers; the document itself holds no data.
enum StatusPageHTML {
    static let text = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>vmib status</title>
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/world.js" defer></script>
<script src="/ui/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="#/">vmib <span>status</span></a>
  <span class="badge" title="This page only reads: it has no controls that change anything.">Read-only</span>
  <nav id="crumbs" aria-label="Breadcrumb"></nav>
  <div class="session" id="session" hidden>
    <span id="who"></span>
    <button type="button" id="signout">Sign out</button>
  </div>
</header>
<main id="main" tabindex="-1">
  <section id="login" aria-labelledby="login-title" hidden>
    <h1 id="login-title">Sign in to the status page</h1>
    <form id="login-form" novalidate>
      <p>
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
               aria-describedby="token-help">
      </p>
      <p id="token-help" class="help">A token from the server's token file (a Reader's is enough). It is kept in
        this tab's session storage only, sent only to this server, and forgotten when the tab closes or you sign out.</p>
      <p>
        <label for="subscription">Subscription</label>
        <input id="subscription" name="subscription" type="text" autocomplete="off" spellcheck="false" required
               aria-describedby="subscription-help" value="00000000-0000-0000-0000-000000000000">
      </p>
      <p id="subscription-help" class="help">The server's subscription id (<code>VMIB_SUBSCRIPTION</code>;
        all zeros unless it was set).</p>
      <p><button type="submit" id="signin">Sign in</button></p>
    </form>
    <div id="login-error" role="alert"></div>
  </section>
  <div id="view" aria-live="off"></div>
</main>
<div id="announce" class="visually-hidden" role="status" aria-live="polite"></div>
<footer class="bottom"><span id="updated"></span></footer>
<noscript><p class="alert">This page needs JavaScript to read the API; the CLI (<code>vmib version show</code>) shows the same.</p></noscript>
</body>
</html>
"""#
}
