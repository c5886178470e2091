// Bootstrap colour modes following the system: dark when the system prefers it, and live when it changes.
// Loaded (not deferred) in <head> so that a dark page never flashes light first.
(function () {
  var query = window.matchMedia('(prefers-color-scheme: dark)');
  function apply() {
    document.documentElement.setAttribute('data-bs-theme', query.matches ? 'dark' : 'light');
  }
  apply();
  if (query.addEventListener) {
    query.addEventListener('change', apply);
  }
})();
