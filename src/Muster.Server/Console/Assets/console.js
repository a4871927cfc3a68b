// The Muster console's only script (no inline script: the CSP forbids it). It shows times in the viewer's zone, places
// the waterfall's bars, copies a new token, and puts live updates from the server's event streams in place. Every piece
// of HTML it inserts was rendered, and encoded, by the server.
(function () {
  'use strict';
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

  function enhance(root) {
    root.querySelectorAll('time[datetime]').forEach(function (time) {
      var date = new Date(time.getAttribute('datetime'));
      if (!isNaN(date.getTime())) { time.textContent = format.format(date); }
    });
    root.querySelectorAll('[data-left]').forEach(function (bar) {
      bar.style.marginLeft = bar.getAttribute('data-left') + '%';
      bar.style.width = bar.getAttribute('data-width') + '%';
    });
  }

  function parse(html) {
    var template = document.createElement('template');
    template.innerHTML = html;
    return template.content;
  }

  function followRun(live) {
    var source = new EventSource(live.getAttribute('data-live'));
    source.addEventListener('run', function (event) {
      live.replaceChildren(parse(JSON.parse(event.data).html));
      enhance(live);
      var stop = document.getElementById('stop');
      if (stop && live.querySelector('[data-finished]')) { stop.hidden = true; }
    });
    source.addEventListener('end', function () { source.close(); });
    reloadWhenRefused(source);
  }

  // A stream the server refuses to reopen (the session ended, its token was revoked, the run was deleted) closes for good:
  // the page is loaded again, which leads to sign-in or says what happened. A dropped connection only retries.
  function reloadWhenRefused(source) {
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) { window.location.reload(); }
    });
  }

  function followRuns(body) {
    var source = new EventSource(body.getAttribute('data-live'));
    source.addEventListener('row', function (event) {
      var row = JSON.parse(event.data);
      var fresh = parse(row.html).firstElementChild;
      var old = document.getElementById(row.id);
      if (old) {
        old.replaceWith(fresh);
      } else if (row.new && body.hasAttribute('data-prepend')) {
        body.prepend(fresh);
      } else {
        return;
      }
      enhance(fresh);
    });
    reloadWhenRefused(source);
  }

  document.addEventListener('DOMContentLoaded', function () {
    enhance(document);
    document.querySelectorAll('[data-copy]').forEach(function (button) {
      button.addEventListener('click', function () {
        var text = document.getElementById(button.getAttribute('data-copy')).textContent;
        navigator.clipboard.writeText(text).then(function () { button.textContent = 'Copied'; });
      });
    });
    document.querySelectorAll('[data-live]').forEach(function (live) {
      if (live.tagName === 'TBODY') { followRuns(live); } else { followRun(live); }
    });
  });
})();
